// Package executeapi knows the host names an API Gateway REST API answers on: it builds them for the
// stack's outputs and the tools' checks, and reads them back for the clients that sign requests
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-api-test-invoke-url.html;
// in China the suffix is amazonaws.com.cn: https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-Beijing.html).
package executeapi

import (
	"fmt"
	"regexp"
)

// Kind says which of a private API's host names a URL uses.
type Kind int

const (
	// Other is any other host (a custom domain, a test server): the region must be given.
	Other Kind = iota
	// APIHost is <apiId>.execute-api.<region>.amazonaws.com: public DNS for a public API; for a
	// private API, resolvable only where private DNS or a forwarding rule makes it so.
	APIHost
	// EndpointAlias is <apiId>-<vpceId>.execute-api.<region>.amazonaws.com: public DNS records that
	// point at the endpoint's private addresses; works without any private DNS.
	EndpointAlias
	// EndpointDNS is the endpoint's own name, vpce-<id>-<suffix>[-<az>].execute-api.<region>.vpce.amazonaws.com.
	// It names no API, so the request must carry x-apigw-api-id: <apiId>.
	EndpointDNS
)

// Host is what a host name tells about the API behind it.
type Host struct {
	Kind          Kind
	APIID         string
	VPCEndpointID string
	Region        string
	// DNSSuffix is the partition's domain: amazonaws.com, or amazonaws.com.cn in China.
	DNSSuffix string
}

// APIHostName is <apiId>.execute-api.<region>.<dnsSuffix>.
func APIHostName(apiID, region, dnsSuffix string) string {
	return fmt.Sprintf("%s.execute-api.%s.%s", apiID, region, dnsSuffix)
}

// EndpointAliasHostName is <apiId>-<vpceId>.execute-api.<region>.<dnsSuffix>, the host that reaches the
// API through that one endpoint without any private DNS.
func EndpointAliasHostName(apiID, vpceID, region, dnsSuffix string) string {
	return APIHostName(apiID+"-"+vpceID, region, dnsSuffix)
}

// API IDs are 10 lowercase alphanumerics; endpoint IDs are vpce- and hex; the domain may be the
// China partition's.
var (
	apiHostPattern     = regexp.MustCompile(`^([a-z0-9]{10})(?:-(vpce-[0-9a-f]+))?\.execute-api\.([a-z]{2}(?:-[a-z]+)+-[0-9])\.(amazonaws\.com(?:\.cn)?)$`)
	endpointDNSPattern = regexp.MustCompile(`^(vpce-[0-9a-f]+)-[a-z0-9]+(?:-[a-z]{2}(?:-[a-z]+)+-[0-9][a-z])?\.execute-api\.([a-z]{2}(?:-[a-z]+)+-[0-9])\.vpce\.amazonaws\.com(?:\.cn)?$`)
)

// ParseHost classifies a host name (without port).
func ParseHost(name string) Host {
	if m := apiHostPattern.FindStringSubmatch(name); m != nil {
		if m[2] != "" {
			return Host{Kind: EndpointAlias, APIID: m[1], VPCEndpointID: m[2], Region: m[3], DNSSuffix: m[4]}
		}
		return Host{Kind: APIHost, APIID: m[1], Region: m[3], DNSSuffix: m[4]}
	}
	if m := endpointDNSPattern.FindStringSubmatch(name); m != nil {
		return Host{Kind: EndpointDNS, VPCEndpointID: m[1], Region: m[2]}
	}
	return Host{Kind: Other}
}
