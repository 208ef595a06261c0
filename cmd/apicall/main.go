// Command apicall calls an API Gateway REST API with a SigV4 signature made from the standard AWS
// credential chain, like awscurl. It is the way to call the private API from a workload in a
// consumer VPC:
//
//	apicall https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/dev/whoami
//	apicall -X POST -d @claim.json https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/dev/members/m1/claims
//	apicall -H 'x-apigw-api-id: a1b2c3d4e5' https://vpce-0123456789abcdef0-4x5y6z7w.execute-api.eu-west-1.vpce.amazonaws.com/dev/whoami
//
// The status line goes to stderr and the body to stdout (indented when stdout is a terminal and the
// body is JSON). Exit status: 0 for 1xx-3xx, 1 for 4xx/5xx, 2 for a usage error, 3 when no response
// came (credentials, DNS, connection, TLS, timeout).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/example/private-api/internal/executeapi"

	"github.com/aws/aws-sdk-go-v2/config"
	"golang.org/x/term"

	"github.com/example/private-api/cmd/internal/cli"
	"github.com/example/private-api/internal/sigv4client"
)

const (
	exitHTTPError = 1
	exitUsage     = cli.ExitUsage
	exitNoAnswer  = 3
)

// apiIDHeader names the API when the URL's host is the VPC endpoint's own DNS name.
const apiIDHeader = "X-Apigw-Api-Id"

// streams is the command's outside world, so tests can run it in-process.
type streams struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// stdoutIsTerminal asks for indented JSON.
	stdoutIsTerminal bool
}

func main() {
	s := streams{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, stdoutIsTerminal: term.IsTerminal(int(os.Stdout.Fd()))}
	os.Exit(run(context.Background(), os.Args[1:], s))
}

// headerFlags collects repeated -H 'Name: value' flags.
type headerFlags http.Header

func (h headerFlags) String() string { return "" }

func (h headerFlags) Set(v string) error {
	name, value, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("header %q is not 'Name: value'", v)
	}
	http.Header(h).Add(strings.TrimSpace(name), strings.TrimSpace(value))
	return nil
}

type request struct {
	method, data, region, connectTo, profile string
	headers                                  http.Header
	timeout                                  time.Duration
	url                                      *url.URL
}

func run(ctx context.Context, args []string, s streams) int {
	req, err := parseArgs(args, s.stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(s.stderr, "apicall: %v\n", err)
		return exitUsage
	}
	region, err := signingRegion(req)
	if err != nil {
		fmt.Fprintf(s.stderr, "apicall: %v\n", err)
		return exitUsage
	}
	body, err := readBody(req.data, s.stdin)
	if err != nil {
		fmt.Fprintf(s.stderr, "apicall: -d: %v\n", err)
		return exitUsage
	}

	ctx, cancel := context.WithTimeout(ctx, req.timeout)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(req.profile))
	if err != nil {
		fmt.Fprintf(s.stderr, "apicall: load AWS config: %v\n", err)
		return exitNoAnswer
	}
	var transport http.RoundTripper
	if req.connectTo != "" {
		transport = sigv4client.DialTo(req.connectTo)
	}
	client := sigv4client.New(cfg.Credentials, region, transport)

	httpReq, err := http.NewRequest(req.method, req.url.String(), nil)
	if err != nil {
		fmt.Fprintf(s.stderr, "apicall: %v\n", err)
		return exitUsage
	}
	httpReq.Header = req.headers
	if len(body) > 0 && httpReq.Header.Get("Content-Type") == "" {
		httpReq.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(ctx, httpReq, body)
	if err != nil {
		fmt.Fprintf(s.stderr, "apicall: %s %s: %v\n", req.method, req.url.Redacted(), err)
		return exitNoAnswer
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		fmt.Fprintf(s.stderr, "apicall: read response: %v\n", err)
		return exitNoAnswer
	}

	status := resp.Proto + " " + resp.Status
	if errType := resp.Header.Get("X-Amzn-Errortype"); errType != "" {
		status += " (" + errType + ")"
	}
	fmt.Fprintln(s.stderr, status)
	writeBody(s, respBody)
	if resp.StatusCode >= 400 {
		return exitHTTPError
	}
	return 0
}

func parseArgs(args []string, stderr io.Writer) (request, error) {
	req := request{headers: http.Header{}}
	fs := cli.FlagSet("apicall", "usage: apicall [flags] URL\n\nCalls an API Gateway REST API signed with SigV4 (service execute-api) using the standard AWS credential chain.\n"+
		"Exit status: 0 ok, 1 HTTP 4xx/5xx, 2 usage error, 3 no response (credentials, DNS, connection, TLS, timeout).\n\nflags:", stderr)
	fs.StringVar(&req.method, "X", "", "HTTP method (default GET, or POST when -d is given)")
	fs.StringVar(&req.data, "d", "", "request body: literal text, @file, or @- for stdin")
	fs.Var(headerFlags(req.headers), "H", "request header 'Name: value' (repeatable); signed with the request")
	fs.StringVar(&req.region, "region", "", "signing region; needed only when the host name does not carry one (custom domains)")
	fs.StringVar(&req.connectTo, "connect-to", "", "connect to this host:port instead of the URL's host; Host, TLS name and signature stay the URL's")
	fs.StringVar(&req.profile, "profile", "", cli.ProfileUsage)
	fs.DurationVar(&req.timeout, "timeout", 30*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return req, err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return req, fmt.Errorf("want exactly one URL after the flags, got %d arguments", fs.NArg())
	}
	u, err := url.Parse(fs.Arg(0))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return req, fmt.Errorf("%q is not an http(s) URL; give the invoke URL, for example https://<apiId>.execute-api.<region>.amazonaws.com/<stage>/whoami", fs.Arg(0))
	}
	// Plain http only where the bytes never leave the machine: the host dialled (the URL's, or
	// -connect-to's) is a loopback address.
	dialHost := u.Hostname()
	if req.connectTo != "" {
		dialHost, _, _ = net.SplitHostPort(req.connectTo)
	}
	if u.Scheme == "http" && !isLoopback(dialHost) {
		return req, fmt.Errorf("%q: apicall signs requests and sends them only over https; plain http only to a loopback address (make local): use https://%s%s", fs.Arg(0), u.Host, u.RequestURI())
	}
	req.url = u
	if req.method == "" {
		req.method = http.MethodGet
		if req.data != "" {
			req.method = http.MethodPost
		}
	}
	req.method = strings.ToUpper(req.method)
	if _, ok := req.headers["Host"]; ok {
		return req, errors.New("-H Host: do not override Host, the signature must cover the host actually called; " +
			"to call the endpoint's DNS name, put that name in the URL and add -H 'x-apigw-api-id: <apiId>', " +
			"or use the endpoint-alias host <apiId>-<vpceId>.execute-api.<region>.amazonaws.com")
	}
	return req, nil
}

// signingRegion takes the region from the host name, which is where API Gateway checks it, and
// falls back to -region for hosts that carry none.
func signingRegion(req request) (string, error) {
	host := executeapi.ParseHost(req.url.Hostname())
	switch {
	case host.Kind == executeapi.Other && req.region == "":
		return "", fmt.Errorf("-region: the host %q does not name a region; add -region <region of the API>", req.url.Hostname())
	case host.Kind == executeapi.Other:
		return req.region, nil
	case req.region != "" && req.region != host.Region:
		return "", fmt.Errorf("-region %s: the host %q is in %s and API Gateway rejects a signature for another region; drop -region",
			req.region, req.url.Hostname(), host.Region)
	case host.Kind == executeapi.EndpointDNS && req.headers.Get(apiIDHeader) == "":
		return "", fmt.Errorf("-H: %q is the VPC endpoint's own DNS name, which names no API; add -H 'x-apigw-api-id: <apiId>' "+
			"(or use the endpoint-alias host <apiId>-%s.execute-api.%s.amazonaws.com)", req.url.Hostname(), host.VPCEndpointID, host.Region)
	}
	return host.Region, nil
}

func readBody(data string, stdin io.Reader) ([]byte, error) {
	switch {
	case data == "@-":
		return io.ReadAll(stdin)
	case strings.HasPrefix(data, "@"):
		return os.ReadFile(data[1:])
	}
	return []byte(data), nil
}

func writeBody(s streams, body []byte) {
	if s.stdoutIsTerminal {
		var indented bytes.Buffer
		if json.Indent(&indented, body, "", "  ") == nil {
			body = append(indented.Bytes(), '\n')
		}
	}
	_, _ = s.stdout.Write(body)
}

// isLoopback reports whether host names this machine: localhost, 127.0.0.0/8 or ::1.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
