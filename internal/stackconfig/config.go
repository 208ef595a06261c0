// Package stackconfig reads the stack's structured config and validates all of it before the
// program registers a single resource. Every rejected value yields one message that names the key
// and says how to fix it.
package stackconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
}

// Network shapes the API VPC; consumer VPCs use the same AZ count and subnet size.
type Network struct {
	APIVpcCidr         string `json:"apiVpcCidr"`
	AZCount            int    `json:"azCount"`
	SubnetPrefixLength int    `json:"subnetPrefixLength"`
	FlowLogs           bool   `json:"flowLogs"`
}

// Consumer is one peered VPC whose workloads call the API.
type Consumer struct {
	Name string `json:"name"`
	Cidr string `json:"cidr"`
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
}

// Functions sizes every Lambda function.
type Functions struct {
	MemoryMB            int `json:"memoryMb"`
	TimeoutSeconds      int `json:"timeoutSeconds"`
	ReservedConcurrency int `json:"reservedConcurrency"`
}

// Client configures who may call the API.
type Client struct {
	TestInstance      bool     `json:"testInstance"`
	InstanceType      string   `json:"instanceType"`
	TrustedPrincipals []string `json:"trustedPrincipals"`
	IAMUser           bool     `json:"iamUser"`
	IAMUserAccessKey  bool     `json:"iamUserAccessKey"`
}

// Defaults is the configuration of a stack that sets nothing; Pulumi.yaml documents the same values
// (a test keeps the two equal).
func Defaults() Config {
	return Config{
		Network:   Network{APIVpcCidr: "10.10.0.0/16", AZCount: 2, SubnetPrefixLength: 24},
		Consumers: []Consumer{{Name: "consumer", Cidr: "10.20.0.0/16"}},
		DNS:       DNS{Mode: DNSResolver},
		API: API{
			StageName:            "v1",
			LoggingLevel:         "ERROR",
			ThrottlingRateLimit:  50,
			ThrottlingBurstLimit: 100,
			AllowedSourceCidrs:   []string{},
		},
		Logs:      Logs{RetentionDays: 30},
		Table:     Table{Encryption: EncryptionAWSOwned},
		Functions: Functions{MemoryMB: 256, TimeoutSeconds: 10, ReservedConcurrency: 10},
		Client:    Client{InstanceType: "t4g.nano", TrustedPrincipals: []string{}},
	}
}

// keys are the project config keys in the order they are read, each with the field it fills.
func (c *Config) keys() []struct {
	name string
	into any
} {
	return []struct {
		name string
		into any
	}{
		{"network", &c.Network}, {"consumers", &c.Consumers}, {"dns", &c.DNS}, {"api", &c.API},
		{"logs", &c.Logs}, {"table", &c.Table}, {"functions", &c.Functions}, {"client", &c.Client},
	}
}

// Load reads and validates the stack's config from the Pulumi context.
func Load(ctx *pulumi.Context) (Config, error) {
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
			// Not JSON at all: hand the text on so the strict decoder names the key.
			v, _ := config.Try(ctx, key)
			return v, true
		}
		return string(raw), true
	})
}

// Parse builds the config from a lookup of fully qualified keys (as `pulumi config` stores them),
// starting from Defaults so that a stack sets only what it changes, and validates the result.
func Parse(lookup func(key string) (string, bool)) (Config, error) {
	cfg := Defaults()
	region, ok := lookup("aws:region")
	if !ok || region == "" {
		return Config{}, errors.New("aws:region is not set: run `pulumi config set aws:region <region>` (for example eu-west-1)")
	}
	cfg.Region = region
	var errs []error
	for _, k := range cfg.keys() {
		raw, ok := lookup(Project + ":" + k.name)
		if !ok {
			continue
		}
		if err := decodeStrict(raw, k.into); err != nil {
			errs = append(errs, fmt.Errorf("config %s:%s: %w; see the config reference in README.md", Project, k.name, err))
		}
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// decodeStrict rejects unknown fields, so a misspelt setting fails instead of silently keeping its default.
func decodeStrict(raw string, into any) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "json: ")
		return errors.New(msg)
	}
	return nil
}
