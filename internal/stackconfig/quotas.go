package stackconfig

import (
	"github.com/example/private-api/internal/catalogue"
	"github.com/example/private-api/internal/quotas"
)

// QuotaUsage is what of this config decides how much of each AWS quota the stack takes.
func (c Config) QuotaUsage() quotas.Usage {
	var principals, callers, routes int
	for _, cl := range c.Clients {
		callers++
		principals++ // its role
		if cl.IAMUser {
			principals++
		}
		for _, r := range cl.Routes {
			if r == AllRoutes {
				routes += quotas.AllRoutesBound
			} else {
				routes++
			}
		}
	}
	if c.Client.TestInstance {
		callers, principals, routes = callers+1, principals+1, routes+1 // GET /whoami
	}
	peered, endpoints, endpointVPCs := 0, 0, 0
	for _, cons := range c.Consumers {
		switch {
		case cons.Peered():
			peered++
		case cons.Account == nil:
			endpoints, endpointVPCs = endpoints+1, endpointVPCs+1
		default:
			endpoints++
		}
	}
	return quotas.Usage{
		Callers:                 callers,
		RouteGrants:             routes,
		StageName:               len(c.API.StageName),
		ConsumerVPCs:            peered,
		EndpointVPCs:            endpointVPCs,
		ConsumerEndpoints:       endpoints,
		TestClientInEndpointVPC: c.Client.TestInstance && len(c.Consumers) > 0 && !c.Consumers[0].Peered(),
		AZs:                     c.Network.AZCount,
		Resolver:                c.DNS.Mode == DNSResolver,
		PrivateZone:             c.DNS.Mode == DNSPrivateZone,
		TestClient:              c.Client.TestInstance,
		AllowedSourceCidrs:      len(c.API.AllowedSourceCidrs),
		Principals:              principals,
		Functions:               len(catalogue.Functions),
		ReservedConcurrency:     c.Functions.ReservedConcurrency,
	}
}

// quotaProblems checks the quotas object (only adjustable quotas, only raised) and that the config
// needs no more of any quota than the account allows: AWS would refuse the resource that goes past
// it half-way through `pulumi up`.
func (c Config) quotaProblems() Problems {
	var ps Problems
	for _, bad := range quotas.Limits(c.Quotas).Validate() {
		ps.add("quotas."+bad.Name, "%s", bad.Reason)
	}
	if len(ps) > 0 {
		return ps
	}
	for _, s := range quotas.Check(c.QuotaUsage(), c.Quotas) {
		ps.add(s.Need.Key, "%s", s.Message(Project))
	}
	return ps
}
