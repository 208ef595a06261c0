package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/example/private-api/internal/executeapi"
)

// check is one assertion about the deployed stack, made from the test client: a shell script run
// there through SSM, and a verdict on what it printed (nil when it passes).
type check struct {
	id     string // short and stable: the SSM command's comment
	name   string
	script string
	verify func(output) error
}

// output is what a script left: the SSM invocation status and its streams.
type output struct {
	status, stdout, stderr string
}

// otherAPIID is a syntactically valid API ID that is not this stack's: a public API of another
// team, whose host must keep resolving to public addresses from the consumer VPC.
func otherAPIID(apiID string) string {
	if apiID == "abcdefghij" {
		return "bcdefghijk"
	}
	return "abcdefghij"
}

// otherRegion is a region the API is not in, to sign a request for by mistake.
func otherRegion(region string) string {
	if region == "us-east-1" {
		return "us-west-2"
	}
	return "us-east-1"
}

func checks(o stackOutputs) []check {
	u, _ := url.Parse(o.InvokeURL) // validated when loaded
	whoami := strings.TrimSuffix(o.InvokeURL, "/") + "/whoami"
	wrongRegion := otherRegion(o.Region)
	suffix := dnsSuffix(u.Hostname())
	stsHost := "sts." + o.Region + "." + suffix
	otherAPIHost := executeapi.APIHostName(otherAPIID(o.APIID), o.Region, suffix)
	return []check{
		{
			id: "api-dns", name: "API host " + u.Hostname() + " resolves to private addresses",
			script: resolveScript(u.Hostname()),
			verify: resolvesTo(true, "the consumer VPC does not resolve the API privately: check the forwarding rule (or private zone) association with this VPC and the resolver endpoints"),
		},
		{
			id: "signed", name: "signed GET /whoami answers 200 as the test client's role",
			script: httpScript(whoami, o.Region),
			verify: o.verifyWhoami,
		},
		{
			// The test client's role may call only the smoke test's routes (infra.TestClientRoutes).
			id: "unlisted-route", name: "signed GET /employees, a route the test client lacks, is refused with 403",
			script: httpScript(strings.TrimSuffix(o.InvokeURL, "/")+"/employees", o.Region),
			verify: answers(403, "the test client reached a route its role does not list: the resource policy or its identity policy allows more than its routes"),
		},
		{
			id: "unsigned", name: "unsigned GET /whoami is refused with 403",
			script: httpScript(whoami, ""),
			verify: answers(403, "the API answers unsigned calls: every method must use AWS_IAM"),
		},
		{
			id: "wrong-region", name: "GET /whoami signed for " + wrongRegion + " is refused with 403",
			script: httpScript(whoami, wrongRegion),
			verify: answers(403, "the API accepted a signature for another region"),
		},
		{
			id: "sts-dns", name: stsHost + " resolves to public addresses",
			script: resolveScript(stsHost),
			verify: resolvesTo(false, "an endpoint's private DNS or a resolver rule in the consumer VPC covers this AWS service"),
		},
		{
			id: "public-api-dns", name: "another API's host " + otherAPIHost + " resolves to public addresses",
			script: resolveScript(otherAPIHost),
			verify: resolvesTo(false, "private DNS or a forwarding rule covers all of execute-api, so other teams' public APIs answer 403 here; scope it to "+executeapi.APIHostName(o.APIID, o.Region, suffix)),
		},
	}
}

// dnsSuffix is the partition's DNS suffix, read off the invoke URL's execute-api host
// (amazonaws.com, or amazonaws.com.cn in China); amazonaws.com when the host has another shape.
func dnsSuffix(host string) string {
	if h := executeapi.ParseHost(host); h.DNSSuffix != "" {
		return h.DNSSuffix
	}
	return "amazonaws.com"
}

// shellQuote makes s one word for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func resolveScript(host string) string {
	// getent asks the VPC's resolver as any program would; no output means the name does not resolve.
	return "getent ahosts " + shellQuote(host) + " | awk '{print $1}' | sort -u"
}

// imdsCredentials reads the instance role's credentials from IMDSv2 (a session token first) into a
// shell function, so they never appear on a command line or in the command's output.
const imdsCredentials = `imds=http://169.254.169.254/latest
token=$(curl -sSf --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$imds/api/token") || { echo 'IMDSv2 gave no session token' >&2; exit 1; }
role=$(curl -sSf --max-time 5 -H "X-aws-ec2-metadata-token: $token" "$imds/meta-data/iam/security-credentials/") || { echo 'the instance has no IAM role' >&2; exit 1; }
creds=$(curl -sSf --max-time 5 -H "X-aws-ec2-metadata-token: $token" "$imds/meta-data/iam/security-credentials/$role") || { echo "IMDS gave no credentials for $role" >&2; exit 1; }
field() { printf '%s\n' "$creds" | sed -n "s/.*\"$1\" *: *\"\([^\"]*\)\".*/\1/p"; }
`

// httpScript calls url with curl, signed with the instance role for execute-api in signRegion, or
// unsigned when signRegion is empty, and prints "HTTP <status>" and the body. The key pair and the
// session token (which must be sent as x-amz-security-token) reach curl as config on stdin.
func httpScript(url, signRegion string) string {
	curl := "curl -sS --max-time 20 -o \"$body\" -w '%{http_code}' "
	var b strings.Builder
	b.WriteString("set -u\n")
	if signRegion == "" {
		b.WriteString("body=$(mktemp)\ncode=$(" + curl + shellQuote(url) + ")\n")
	} else {
		b.WriteString(imdsCredentials)
		b.WriteString("body=$(mktemp)\n")
		b.WriteString(`code=$(printf 'user = "%s:%s"\nheader = "x-amz-security-token: %s"\n' "$(field AccessKeyId)" "$(field SecretAccessKey)" "$(field Token)" | ` +
			curl + "-K - --aws-sigv4 " + shellQuote("aws:amz:"+signRegion+":execute-api") + " " + shellQuote(url) + ")\n")
	}
	b.WriteString("echo \"HTTP $code\"\ncat \"$body\"\nrm -f \"$body\"")
	return b.String()
}

// response splits what httpScript printed into the status code and the body.
func response(out output) (int, string, error) {
	if out.status != "Success" {
		return 0, "", fmt.Errorf("the command ended %s: %s", out.status, strings.TrimSpace(out.stderr))
	}
	first, body, _ := strings.Cut(out.stdout, "\n")
	var code int
	if _, err := fmt.Sscanf(first, "HTTP %d", &code); err != nil {
		return 0, "", fmt.Errorf("unexpected output %q", first)
	}
	if code == 0 {
		return 0, "", fmt.Errorf("no HTTP response: %s", strings.TrimSpace(out.stderr))
	}
	return code, body, nil
}

func answers(want int, hint string) func(output) error {
	return func(out output) error {
		code, body, err := response(out)
		if err != nil {
			return err
		}
		if code != want {
			return fmt.Errorf("answered %d, want %d: %s (%s)", code, want, hint, snippet(body))
		}
		return nil
	}
}

func (o stackOutputs) verifyWhoami(out output) error {
	code, body, err := response(out)
	if err != nil {
		return err
	}
	if code != 200 {
		return fmt.Errorf("answered %d (%s): check that the resource policy allows the client role through endpoint %s and that the role may invoke GET /whoami",
			code, snippet(body), o.VPCEndpointID)
	}
	var whoami struct {
		CallerARN string `json:"callerArn"`
		VPCEID    string `json:"vpceId"`
	}
	if err := json.Unmarshal([]byte(body), &whoami); err != nil {
		return fmt.Errorf("answered 200 with a body that is not the whoami JSON: %s", snippet(body))
	}
	prefix, _ := assumedRolePrefix(o.ClientRoleARN) // validated when loaded
	if !strings.HasPrefix(whoami.CallerARN, prefix) {
		return fmt.Errorf("callerArn %q is not a session of the client role %s", whoami.CallerARN, o.ClientRoleARN)
	}
	if o.VPCEndpointID != "" && whoami.VPCEID != o.VPCEndpointID {
		return fmt.Errorf("the call came through endpoint %q, not the stack's %s", whoami.VPCEID, o.VPCEndpointID)
	}
	return nil
}

// resolvesTo checks that a name resolves, and only to private addresses (RFC 1918, fc00::/7) when
// private is set, or only to public ones otherwise.
func resolvesTo(private bool, hint string) func(output) error {
	return func(out output) error {
		if out.status != "Success" {
			return fmt.Errorf("the command ended %s: %s", out.status, strings.TrimSpace(out.stderr))
		}
		var addrs, wrong []string
		for _, line := range strings.Fields(out.stdout) {
			addr, err := netip.ParseAddr(line)
			if err != nil {
				return fmt.Errorf("unexpected resolver output %q", line)
			}
			addrs = append(addrs, line)
			if addr.IsPrivate() != private || !private && !addr.IsGlobalUnicast() {
				wrong = append(wrong, line)
			}
		}
		switch {
		case len(addrs) == 0 && !private:
			return errors.New("does not resolve: the consumer VPC's DNS does not answer for public names; check that DNS support is on and no resolver rule swallows them")
		case len(addrs) == 0:
			return fmt.Errorf("does not resolve: %s", hint)
		case len(wrong) > 0:
			return fmt.Errorf("resolves to %s: %s", strings.Join(wrong, ", "), hint)
		}
		return nil
	}
}

func snippet(body string) string {
	body = strings.TrimSpace(body)
	if len(body) > 200 {
		body = body[:200] + "..."
	}
	if body == "" {
		return "empty body"
	}
	return body
}
