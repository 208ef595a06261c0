package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/example/private-api/internal/policydoc"
)

// gateway is the part of the API Gateway management API the audit reads; *apigateway.Client has it.
type gateway interface {
	apigateway.GetRestApisAPIClient
	apigateway.GetResourcesAPIClient
	GetStages(context.Context, *apigateway.GetStagesInput, ...func(*apigateway.Options)) (*apigateway.GetStagesOutput, error)
}

// apiReport is the verdict on one REST API; Problems says, for a person, what fails and how to fix it.
type apiReport struct {
	ID                  string        `json:"id"`
	Name                string        `json:"name"`
	EndpointTypes       []string      `json:"endpointTypes"`
	VPCEndpointIDs      []string      `json:"vpcEndpointIds"`
	RestrictedBy        []string      `json:"restrictedBy"`
	DenyGuard           bool          `json:"denyGuard"`
	UnauthorizedMethods []string      `json:"unauthorizedMethods"`
	Stages              []stageReport `json:"stages"`
	Problems            []string      `json:"problems"`
	// Warnings are worth a look but do not fail the API.
	Warnings []string `json:"warnings"`
	Pass     bool     `json:"pass"`
}

type stageReport struct {
	Name       string `json:"name"`
	AccessLogs bool   `json:"accessLogs"`
	// LoggingLevel is the execution logging level of all methods ("*/*"): OFF, ERROR or INFO.
	LoggingLevel string `json:"loggingLevel"`
	Tracing      bool   `json:"tracing"`
}

// pageSize is the largest page API Gateway serves.
const pageSize = 500

func auditRegion(ctx context.Context, gw gateway) ([]apiReport, error) {
	reports := []apiReport{}
	pages := apigateway.NewGetRestApisPaginator(gw, &apigateway.GetRestApisInput{Limit: aws.Int32(pageSize)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list REST APIs: %w", err)
		}
		for _, api := range page.Items {
			report, err := auditAPI(ctx, gw, api)
			if err != nil {
				return nil, fmt.Errorf("REST API %s (%s): %w", aws.ToString(api.Id), aws.ToString(api.Name), err)
			}
			reports = append(reports, report)
		}
	}
	return reports, nil
}

func auditAPI(ctx context.Context, gw gateway, api types.RestApi) (apiReport, error) {
	r := apiReport{
		ID:             aws.ToString(api.Id),
		Name:           aws.ToString(api.Name),
		EndpointTypes:  []string{},
		VPCEndpointIDs: []string{},
		RestrictedBy:   []string{},
		Problems:       []string{},
		Warnings:       []string{},
	}
	if ec := api.EndpointConfiguration; ec != nil {
		for _, t := range ec.Types {
			r.EndpointTypes = append(r.EndpointTypes, string(t))
		}
		r.VPCEndpointIDs = append(r.VPCEndpointIDs, ec.VpcEndpointIds...)
	}
	if !slices.Equal(r.EndpointTypes, []string{string(types.EndpointTypePrivate)}) {
		r.problem("endpoint type %s: reachable from outside the VPC; make the API PRIVATE", strings.Join(r.EndpointTypes, ","))
	}
	r.checkPolicy(aws.ToString(api.Policy))

	var err error
	if r.UnauthorizedMethods, err = unauthorizedMethods(ctx, gw, r.ID); err != nil {
		return r, err
	}
	if len(r.UnauthorizedMethods) > 0 {
		r.problem("methods without authorization: %s; set AWS_IAM on them", strings.Join(r.UnauthorizedMethods, ", "))
	}

	stages, err := gw.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: api.Id})
	if err != nil {
		return r, fmt.Errorf("get stages: %w", err)
	}
	r.Stages = []stageReport{}
	for _, st := range stages.Item {
		r.checkStage(st)
	}
	r.Pass = len(r.Problems) == 0
	return r, nil
}

func (r *apiReport) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

func (r *apiReport) checkPolicy(raw string) {
	if strings.TrimSpace(raw) == "" {
		r.problem("no resource policy: any principal allowed by IAM can call it through any VPC endpoint; " +
			"attach a policy that denies execute-api:Invoke unless aws:SourceVpce is your endpoint")
		return
	}
	doc, err := decodePolicy(raw)
	if err != nil {
		r.problem("resource policy cannot be read (%v); fix it so the restriction can be verified", err)
		return
	}
	v := policydoc.PrivateAPI(doc, r.ID)
	r.RestrictedBy, r.DenyGuard = append(r.RestrictedBy, v.RestrictedBy...), v.DenyGuard
	for _, trick := range v.Tricks {
		r.problem("resource policy: %s", trick)
	}
	for _, id := range v.Endpoints {
		if !slices.Contains(r.VPCEndpointIDs, id) {
			r.Warnings = append(r.Warnings, fmt.Sprintf("resource policy admits endpoint %s, which the API is not associated with: right only if it is a consumer account's own endpoint", id))
		}
	}
	if v.Missing != "" {
		r.problem("%s", v.Missing)
	}
}

// unauthorizedMethods lists "METHOD /path" for every method other than OPTIONS (CORS preflight,
// which carries no credentials) whose authorization type is NONE.
func unauthorizedMethods(ctx context.Context, gw gateway, apiID string) ([]string, error) {
	found := []string{}
	pages := apigateway.NewGetResourcesPaginator(gw, &apigateway.GetResourcesInput{
		RestApiId: aws.String(apiID),
		Embed:     []string{"methods"}, // without it, resources come back with no methods to check
		Limit:     aws.Int32(pageSize),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list resources: %w", err)
		}
		for _, res := range page.Items {
			for verb, m := range res.ResourceMethods {
				auth := aws.ToString(m.AuthorizationType)
				if verb != "OPTIONS" && (auth == "" || auth == "NONE") {
					found = append(found, verb+" "+aws.ToString(res.Path))
				}
			}
		}
	}
	slices.Sort(found)
	return found, nil
}

func (r *apiReport) checkStage(st types.Stage) {
	s := stageReport{Name: aws.ToString(st.StageName), LoggingLevel: "OFF", Tracing: st.TracingEnabled}
	s.AccessLogs = st.AccessLogSettings != nil && aws.ToString(st.AccessLogSettings.DestinationArn) != ""
	if all, ok := st.MethodSettings["*/*"]; ok && aws.ToString(all.LoggingLevel) != "" {
		s.LoggingLevel = aws.ToString(all.LoggingLevel)
	}
	r.Stages = append(r.Stages, s)
	if !s.AccessLogs {
		r.problem("stage %s: no access logs; send them to a log group in JSON", s.Name)
	}
	if s.LoggingLevel != "ERROR" && s.LoggingLevel != "INFO" {
		r.problem("stage %s: execution logging %s; set the */* logging level to ERROR or INFO", s.Name, s.LoggingLevel)
	}
	if !s.Tracing {
		r.problem("stage %s: X-Ray tracing off; enable it", s.Name)
	}
}
