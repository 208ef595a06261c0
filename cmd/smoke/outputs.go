package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// stackOutputs are the stack outputs the smoke test reads (names from the outputs contract).
type stackOutputs struct {
	InvokeURL      string `json:"invokeUrl"`
	APIID          string `json:"apiId"`
	Region         string `json:"region"`
	VPCEndpointID  string `json:"vpcEndpointId"`
	ClientRoleARN  string `json:"testClientRoleArn"`
	TestInstanceID string `json:"testInstanceId"`
	// TestClientInvokeURL and TestClientEndpointID are what the test client calls and through which
	// endpoint: the API's own URL and the API VPC's endpoint from a peered consumer, its own
	// endpoint's <apiId>-<vpceId> URL and that endpoint from an endpoint consumer. Stacks deployed
	// before these outputs existed have neither, and their test client is always peered.
	TestClientInvokeURL  string `json:"testClientInvokeUrl"`
	TestClientEndpointID string `json:"testClientEndpointId"`
}

// loadOutputs reads the outputs from file, or else from `pulumi stack output --json` for stack
// (the selected stack when empty), and checks that the smoke test can use them.
func loadOutputs(ctx context.Context, file, stack string) (stackOutputs, error) {
	var o stackOutputs
	var raw []byte
	var err error
	source := "-outputs " + file
	if file != "" {
		raw, err = os.ReadFile(file)
	} else {
		raw, source, err = pulumiOutputs(ctx, stack)
	}
	if err != nil {
		return o, err
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return o, fmt.Errorf("%s: not the JSON of `pulumi stack output --json`: %w", source, err)
	}
	if o.TestClientInvokeURL != "" {
		o.InvokeURL = o.TestClientInvokeURL
	}
	if o.TestClientEndpointID != "" {
		o.VPCEndpointID = o.TestClientEndpointID
	}
	if err := o.validate(); err != nil {
		return o, fmt.Errorf("%s: %w", source, err)
	}
	return o, nil
}

func pulumiOutputs(ctx context.Context, stack string) ([]byte, string, error) {
	args := []string{"stack", "output", "--json"}
	if stack != "" {
		args = append(args, "--stack", stack)
	}
	source := "pulumi " + strings.Join(args, " ")
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "pulumi", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return nil, source, errors.New("the pulumi CLI is not on PATH; install it, or pass -outputs with a file written by `pulumi stack output --json`")
		}
		return nil, source, fmt.Errorf("%s: %w: %s (run it after `pulumi up`, from the project directory, or pass -stack / -outputs)",
			source, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), source, nil
}

func (o stackOutputs) validate() error {
	for _, required := range []struct{ name, value string }{
		{"invokeUrl", o.InvokeURL}, {"apiId", o.APIID}, {"region", o.Region}, {"testClientRoleArn", o.ClientRoleARN},
	} {
		if required.value == "" {
			return fmt.Errorf("output %s is missing; is this the private-api stack, and has `pulumi up` finished?", required.name)
		}
	}
	if o.TestInstanceID == "" {
		return errors.New("output testInstanceId is empty: the stack has no test client to run the checks from; " +
			"set private-api:client.testInstance: true in Pulumi.<stack>.yaml and run `pulumi up`")
	}
	if u, err := url.Parse(o.InvokeURL); err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("output invokeUrl %q is not an https URL", o.InvokeURL)
	}
	if _, err := assumedRolePrefix(o.ClientRoleARN); err != nil {
		return fmt.Errorf("output testClientRoleArn: %w", err)
	}
	return nil
}

// assumedRolePrefix is how the caller ARN of a session of roleARN begins: the role's path is not
// part of it (arn:aws:iam::1:role/path/name becomes arn:aws:sts::1:assumed-role/name/<session>).
func assumedRolePrefix(roleARN string) (string, error) {
	a, err := arn.Parse(roleARN)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
		return "", fmt.Errorf("%q is not an IAM role ARN", roleARN)
	}
	name := a.Resource[strings.LastIndex(a.Resource, "/")+1:]
	return fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/", a.Partition, a.AccountID, name), nil
}
