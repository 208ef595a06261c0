// Package stackconfig reads the stack's structured config and validates all of it before the
// program registers a single resource. Every rejected value yields one message that names the key
// and says how to fix it.
package stackconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// Project is the Pulumi project name: the namespace of every config key.
const Project = "private-api"

// DNS modes: how consumer VPCs resolve the API's private host name.
const (
	DNSResolver      = "resolver"
	DNSPrivateZone   = "privateZone"
	DNSEndpointAlias = "endpointAlias"
)

// How a consumer VPC reaches the API.
const (
	// ConnectPeering peers the consumer VPC with the API VPC (same account): routes both ways, the
	// API VPC's endpoint, disjoint CIDRs.
	ConnectPeering = "peering"
	// ConnectEndpoint gives the consumer VPC an execute-api interface endpoint of its own (AWS
	// PrivateLink): no peering, no route, any CIDR, any account.
	ConnectEndpoint = "endpoint"
)

// Table encryption choices.
const (
	EncryptionAWSOwned        = "aws-owned"
	EncryptionCustomerManaged = "customer-managed"
)

// Config is the whole validated stack configuration.
type Config struct {
	// Region comes from the provider's own key, aws:region.
	Region    string     `json:"-"`
	Network   Network    `json:"network"`
	Consumers []Consumer `json:"consumers"`
	DNS       DNS        `json:"dns"`
	API       API        `json:"api"`
	Logs      Logs       `json:"logs"`
	Table     Table      `json:"table"`
	Functions Functions  `json:"functions"`
	Client    Client     `json:"client"`
	Alarms    Alarms     `json:"alarms"`
	// Clients are the services that may call the API; none means nobody can yet.
	Clients []APIClient `json:"clients"`
	// Waivers are this stack's accepted check failures, each with the reason a reviewer reads.
	Waivers []Waiver `json:"waivers"`
	// Quotas are the applied values of AWS quotas the account has raised (see internal/quotas).
	Quotas map[string]int `json:"quotas"`
}

// Waiver accepts the failures of one check in this stack: check is any of the check's IDs,
// resource an optional glob over resource names, reason the line the plan prints.
type Waiver struct {
	Check    string `json:"check"`
	Resource string `json:"resource"`
	Reason   string `json:"reason"`
}

// Network shapes the API VPC; consumer VPCs use the same AZ count and subnet size.
type Network struct {
	APIVpcCidr         string `json:"apiVpcCidr"`
	AZCount            int    `json:"azCount"`
	SubnetPrefixLength int    `json:"subnetPrefixLength"`
	FlowLogs           bool   `json:"flowLogs"`
}

// Consumer is one VPC whose workloads call the API, peered with the API VPC or with an endpoint of
// its own, in the API's account or (endpoint only) in another.
type Consumer struct {
	Name string `json:"name"`
	Cidr string `json:"cidr"`
	// Connect is ConnectPeering (the default) or ConnectEndpoint.
	Connect string `json:"connect"`
	// Account, when set, is another account that holds this consumer's resources; nil is the API's.
	Account *Account `json:"account"`
}

// Peered reports whether the consumer VPC is peered with the API VPC.
func (c Consumer) Peered() bool { return c.Connect == ConnectPeering }

// Account is another AWS account: its id, and the role the program assumes there to create the
// consumer's resources (that account's administrator creates it first; README).
type Account struct {
	ID      string `json:"id"`
	RoleArn string `json:"roleArn"`
}

// DNS selects how consumers resolve the API host name.
type DNS struct {
	Mode string `json:"mode"`
}

// API configures the stage and the resource policy.
type API struct {
	StageName            string   `json:"stageName"`
	LoggingLevel         string   `json:"loggingLevel"`
	ThrottlingRateLimit  float64  `json:"throttlingRateLimit"`
	ThrottlingBurstLimit int      `json:"throttlingBurstLimit"`
	AllowedSourceCidrs   []string `json:"allowedSourceCidrs"`
	// ManageAccountLoggingRole sets the account-wide API Gateway CloudWatch role. It is one setting
	// per account and region, so it is never changed unless asked for.
	ManageAccountLoggingRole bool `json:"manageAccountLoggingRole"`
}

// Logs sets the retention of every log group the stack creates.
type Logs struct {
	RetentionDays int `json:"retentionDays"`
}

// Table configures the DynamoDB table's protection and encryption.
type Table struct {
	DeletionProtection bool   `json:"deletionProtection"`
	Protect            bool   `json:"protect"`
	Encryption         string `json:"encryption"`
	// AdminPrincipals are the role ARNs of everyone who runs Pulumi on the stack (CI's deploy and
	// preview roles, operators, break-glass): with them, the table and its key deny every other
	// principal of the account but the function roles.
	AdminPrincipals []string `json:"adminPrincipals"`
}

// Functions sizes every Lambda function. ReservedConcurrency 0 reserves nothing: Lambda refuses a
// reservation that leaves an account under 100 unreserved executions, and new accounts often have
// a limit of 10 or 50 (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
//
// Every function publishes a version on each code or configuration change and serves through its
// alias live. PinnedVersions points live at an earlier published version of a function (a rollback
// without a rebuild); CanaryPercent (0-50) gives the newest version that share of live's traffic
// while the version live served before the deploy keeps the rest.
type Functions struct {
	MemoryMB            int            `json:"memoryMb"`
	TimeoutSeconds      int            `json:"timeoutSeconds"`
	ReservedConcurrency int            `json:"reservedConcurrency"`
	PinnedVersions      map[string]int `json:"pinnedVersions"`
	CanaryPercent       int            `json:"canaryPercent"`
}

// MaxCanaryPercent is the largest share of traffic a canary may take: past half, the new version
// would be the main one.
const MaxCanaryPercent = 50

// Alarms are the thresholds of the stack's CloudWatch alarms and who they page. Every alarm looks
// at PeriodSeconds-long periods and fires when DatapointsToAlarm of the last EvaluationPeriods
// breach ("M out of N", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarm-evaluation).
type Alarms struct {
	// API5xxRatePercent is the share of requests answered 5XX above which the API alarms (0: any).
	API5xxRatePercent float64 `json:"api5xxRatePercent"`
	// APILatencyP99Ms is the p99 of API Gateway's Latency above which the API alarms.
	APILatencyP99Ms int `json:"apiLatencyP99Ms"`
	// FunctionDurationP99Percent is the share of a function's timeout its p99 duration may reach.
	FunctionDurationP99Percent int `json:"functionDurationP99Percent"`
	PeriodSeconds              int `json:"periodSeconds"`
	EvaluationPeriods          int `json:"evaluationPeriods"`
	DatapointsToAlarm          int `json:"datapointsToAlarm"`
	// Emails are subscribed to the alarm topic; each confirms by the link AWS mails it.
	Emails []string `json:"emails"`
}

// Client configures the test client: a small instance in the first consumer VPC, managed by SSM,
// with a role of its own that may call only the routes the smoke test calls.
type Client struct {
	TestInstance bool   `json:"testInstance"`
	InstanceType string `json:"instanceType"`
}

// APIClient is one calling service: its own role, trusted by exactly TrustedPrincipals, may invoke
// exactly Routes (route keys as the route table writes them, "GET /employees/{employeeId}", or "*"
// for every route). IAMUser adds an IAM user with the same routes.
type APIClient struct {
	Name              string   `json:"name"`
	Routes            []string `json:"routes"`
	TrustedPrincipals []string `json:"trustedPrincipals"`
	IAMUser           bool     `json:"iamUser"`
	// Consumer, when set, names the consumer the client calls from. A consumer in another account
	// gets the client's role there, trusted by principals of that account.
	Consumer string `json:"consumer"`
}

// AllRoutes in a client's routes grants every route of the API.
const AllRoutes = "*"

// Defaults is the configuration of a stack that sets nothing; Pulumi.yaml documents the same values
// (a test keeps the two equal). They are the secure choices, so a new stack passes the checks; a
// stack relaxes them in its own file, with a waiver and its reason (see Pulumi.dev.yaml).
func Defaults() Config {
	return Config{
		Network:   Network{APIVpcCidr: "10.10.0.0/16", AZCount: 2, SubnetPrefixLength: 24, FlowLogs: true},
		Consumers: []Consumer{{Name: "consumer", Cidr: "10.20.0.0/16", Connect: ConnectPeering}},
		DNS:       DNS{Mode: DNSResolver},
		API: API{
			StageName:            "v1",
			LoggingLevel:         "ERROR",
			ThrottlingRateLimit:  50,
			ThrottlingBurstLimit: 100,
			AllowedSourceCidrs:   []string{},
		},
		Logs:      Logs{RetentionDays: 365},
		Table:     Table{DeletionProtection: true, Encryption: EncryptionCustomerManaged, AdminPrincipals: []string{}},
		Functions: Functions{MemoryMB: 256, TimeoutSeconds: 10, ReservedConcurrency: 0, PinnedVersions: map[string]int{}},
		Client:    Client{InstanceType: "t4g.nano"},
		Clients:   []APIClient{},
		Waivers:   []Waiver{},
		Quotas:    map[string]int{},
		Alarms: Alarms{API5xxRatePercent: 1, APILatencyP99Ms: 5000, FunctionDurationP99Percent: 80,
			PeriodSeconds: 60, EvaluationPeriods: 5, DatapointsToAlarm: 3, Emails: []string{}},
	}
}

// keys are the project config keys, each with the field it fills, in the order they are read.
func (c *Config) keys() []configKey {
	return []configKey{
		{"network", &c.Network}, {"consumers", &c.Consumers}, {"dns", &c.DNS}, {"api", &c.API},
		{"logs", &c.Logs}, {"table", &c.Table}, {"functions", &c.Functions}, {"client", &c.Client},
		{"alarms", &c.Alarms}, {"clients", &c.Clients}, {"waivers", &c.Waivers}, {"quotas", &c.Quotas},
	}
}

type configKey struct {
	name string
	into any
}

// KeyNames are the project's config keys, without the namespace.
func KeyNames() []string {
	var c Config
	names := make([]string, 0, len(c.keys()))
	for _, k := range c.keys() {
		names = append(names, k.name)
	}
	return names
}

// Load reads and validates the stack's config from the Pulumi context. Under the CLI every key the
// stack sets is in the program's environment, so a misspelt key is refused too; under the mock
// engine (tests, the offline plan) the known keys are looked up one by one and the plan checks the
// whole stack file with ParseMap first.
func Load(ctx *pulumi.Context) (Config, error) {
	if all := os.Getenv(pulumi.EnvConfig); all != "" {
		var values map[string]string
		if err := json.Unmarshal([]byte(all), &values); err != nil {
			return Config{}, fmt.Errorf("reading the stack config from %s: %w", pulumi.EnvConfig, err)
		}
		return ParseMap(values)
	}
	return Parse(func(key string) (string, bool) {
		if key == "aws:region" {
			v, err := config.Try(ctx, key)
			return v, err == nil
		}
		var raw json.RawMessage
		if err := config.TryObject(ctx, key, &raw); err != nil {
			if errors.Is(err, config.ErrMissingVar) {
				return "", false
			}
			// Not JSON at all: hand the text on so the decoder says what it found.
			v, _ := config.Try(ctx, key)
			return v, true
		}
		return string(raw), true
	})
}

// ParseMap is Parse over every key a stack sets (as `pulumi config` stores them), refusing keys of
// the project's namespace that are not settings of this stack, with the nearest known key.
func ParseMap(values map[string]string) (Config, error) {
	var unknown Problems
	known := KeyNames()
	for key := range values {
		name, ok := strings.CutPrefix(key, Project+":")
		if !ok || slices.Contains(known, name) {
			continue
		}
		unknown = append(unknown, unknownKey(name, known))
	}
	sort.Slice(unknown, func(i, j int) bool { return unknown[i].Key < unknown[j].Key })
	cfg, err := Parse(func(key string) (string, bool) {
		v, ok := values[key]
		return v, ok
	})
	if len(unknown) == 0 {
		return cfg, err
	}
	var rest Problems
	if !errors.As(err, &rest) && err != nil {
		return Config{}, err
	}
	return Config{}, append(unknown, rest...)
}

// unknownKey is the problem of a top-level key that is no setting: the nearest known key, or the
// whole list, and for a key that moved, the new shape.
func unknownKey(name string, known []string) Problem {
	return Problem{Key: name, Message: "is not a setting of this stack" + suggest(name, known, Project+":")}
}

// Parse builds the config from a lookup of fully qualified keys, starting from Defaults so that a
// stack sets only what it changes, and validates the result. Every problem is reported at once:
// a value that does not decode keeps its default for the validation of the others.
func Parse(lookup func(key string) (string, bool)) (Config, error) {
	cfg := Defaults()
	region, ok := lookup("aws:region")
	if !ok || region == "" {
		return Config{}, errors.New("aws:region is not set: run `pulumi config set aws:region <region>` (for example eu-west-1)")
	}
	cfg.Region = region
	var ps Problems
	for _, k := range cfg.keys() {
		raw, ok := lookup(Project + ":" + k.name)
		if !ok {
			continue
		}
		target := reflect.ValueOf(k.into).Elem()
		decoded := reflect.New(target.Type()).Elem()
		decoded.Set(target)
		before := len(ps)
		decodeInto(parseValue(raw), decoded, k.name, &ps)
		if len(ps) == before {
			target.Set(decoded)
		}
	}
	cfg.fillDefaults()
	ps = append(ps, cfg.problems()...)
	if err := ps.errOrNil(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// fillDefaults sets the defaults of fields inside list entries, which Defaults cannot hold: a
// consumer connects by peering unless it says otherwise.
func (c *Config) fillDefaults() {
	for i := range c.Consumers {
		if c.Consumers[i].Connect == "" {
			c.Consumers[i].Connect = ConnectPeering
		}
	}
}

// AccountID is the account that holds the consumer's resources: another account's id, or "" for
// the API's own.
func (c Consumer) AccountID() string {
	if c.Account == nil {
		return ""
	}
	return c.Account.ID
}

// ConsumerNamed finds a consumer by name.
func (c Config) ConsumerNamed(name string) (Consumer, bool) {
	i := slices.IndexFunc(c.Consumers, func(cons Consumer) bool { return cons.Name == name })
	if i < 0 {
		return Consumer{}, false
	}
	return c.Consumers[i], true
}
