// Command local runs the private API on this machine as API Gateway runs the deployed stage, with
// no AWS account and no Docker:
//
//	go run ./cmd/local [-port 3000] [-stack dev] [-data .local/dynalite]
//
// It serves the routes of infra's route table at http://127.0.0.1:<port>/<stageName>/... (the
// first line it prints), accepts only requests signed with SigV4 for execute-api in the stack's
// region with the credentials of its own shell's default AWS chain, and answers the others as API
// Gateway does. Each function is the real bootstrap, built with the deployment's flags for this
// machine and run under a Lambda Runtime API, against a DynamoDB table in dynalite that holds the
// seeded employee directory. One access-log line per request goes to stdout in the stage's
// format; function logs and status go to stderr. Ctrl-C stops everything it started.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/example/private-api/stack"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/example/private-api/cmd/internal/cli"
	"github.com/example/private-api/cmd/internal/localgateway"
	"github.com/example/private-api/cmd/internal/tableaccess"
	"github.com/example/private-api/infra"
	"github.com/example/private-api/internal/directorydata"
	"github.com/example/private-api/internal/dynalite"
	"github.com/example/private-api/internal/functionbuild"
	"github.com/example/private-api/internal/lambdaruntime"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/stackconfig"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

type options struct {
	port               int
	stack, dataDir     string
	callerArn          string
	binDir             string
	functionTimeout    time.Duration
	integrationTimeout time.Duration
	rate               float64
	burst              int
}

// defaultCallerArn is who the local credentials stand for unless -caller-arn says otherwise:
// an IAM user in AWS's documentation example account.
const defaultCallerArn = "arn:aws:iam::123456789012:user/local-developer"

// callerFromSTS as -caller-arn looks the caller up the way API Gateway learns it from IAM.
const callerFromSTS = "sts"

func parseArgs(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := cli.FlagSet("local", "usage: go run ./cmd/local [flags]\n\nServes the private API on 127.0.0.1 as API Gateway serves the stage of -stack.\n\nflags:", stderr)
	fs.IntVar(&o.port, "port", 3000, "loopback port to listen on (0 picks a free one)")
	fs.StringVar(&o.stack, "stack", "dev", "stack whose Pulumi.<stack>.yaml gives the stage name, region, throttling and function sizes")
	fs.StringVar(&o.dataDir, "data", "", "keep the table in this directory between runs (default: in memory)")
	fs.StringVar(&o.callerArn, "caller-arn", defaultCallerArn, "principal the trusted credentials stand for (requestContext.identity.userArn); "+
		"sts asks STS GetCallerIdentity with them (needs network and real credentials)")
	fs.StringVar(&o.binDir, "bin", "", "directory of prebuilt bootstraps (<name>/bootstrap for this machine); default: build them")
	fs.DurationVar(&o.functionTimeout, "function-timeout", 0, "override the stack's function timeout (default: functions.timeoutSeconds)")
	fs.DurationVar(&o.integrationTimeout, "integration-timeout", localgateway.DefaultIntegrationTimeout, "API Gateway's integration timeout")
	fs.Float64Var(&o.rate, "rate", 0, "override the stage's throttling rate limit, requests per second (default: api.throttlingRateLimit)")
	fs.IntVar(&o.burst, "burst", 0, "override the stage's throttling burst limit (default: api.throttlingBurstLimit)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q: every setting is a flag", fs.Args())
	}
	if o.port < 0 || o.port > 65535 {
		return o, fmt.Errorf("-port %d: want 0..65535", o.port)
	}
	if o.functionTimeout < 0 || o.rate < 0 || o.burst < 0 {
		return o, errors.New("-function-timeout, -rate and -burst: want positive values, or 0 for the stack's")
	}
	if o.integrationTimeout <= 0 {
		return o, fmt.Errorf("-integration-timeout %s: must be positive", o.integrationTimeout)
	}
	if o.callerArn != callerFromSTS && (!strings.HasPrefix(o.callerArn, "arn:aws") || strings.Count(o.callerArn, ":") < 5) {
		return o, fmt.Errorf("-caller-arn %q: want an IAM principal ARN such as %s, or %s", o.callerArn, defaultCallerArn, callerFromSTS)
	}
	return o, nil
}

// lockedWriter lets the access log and the functions' logs share a stream line by line.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	stdout, stderr = lockedWriter{&sync.Mutex{}, stdout}, lockedWriter{&sync.Mutex{}, stderr}

	root, err := functionbuild.ModuleRoot(".")
	if err != nil {
		return err
	}
	cfg, err := loadStack(root, o.stack)
	if err != nil {
		return err
	}
	awsCfg, err := trustedCredentials(ctx)
	if err != nil {
		return err
	}
	callerArn, callerID := o.callerArn, ""
	if callerArn == callerFromSTS {
		if callerArn, callerID, err = lookUpCaller(ctx, awsCfg, cfg.Region); err != nil {
			return err
		}
	}

	binDir, removeBuilt, err := bootstraps(ctx, root, o.binDir, stderr)
	defer removeBuilt()
	if err != nil {
		return err
	}

	db, err := dynalite.Start(dynalite.Options{ModuleRoot: root, DataDir: o.dataDir})
	if err != nil {
		return err
	}
	defer db.Stop()
	table := stackconfig.Project + "-" + o.stack
	if err := prepareTable(ctx, db, table); err != nil {
		return err
	}

	timeout := time.Duration(cfg.Functions.TimeoutSeconds) * time.Second
	if o.functionTimeout > 0 {
		timeout = o.functionTimeout
	}
	functions, stopFunctions, err := startFunctions(ctx, localFunctions{
		cfg: cfg, binDir: binDir, db: db, table: table, account: accountOf(callerArn), timeout: timeout, logs: stderr,
	})
	defer stopFunctions()
	if err != nil {
		return err
	}

	rate, burst := o.limits(cfg)
	gw, err := localgateway.New(localgateway.Config{
		Stage: cfg.API.StageName, Region: cfg.Region, APIID: "local", Routes: infra.Routes, Functions: functions,
		Credentials: awsCfg.Credentials, CallerArn: callerArn, CallerID: callerID, RateLimit: rate, BurstLimit: burst,
		MethodThrottles:    infra.MethodThrottles(infra.Routes, cfg.Functions.ReservedConcurrency, rate, burst),
		IntegrationTimeout: o.integrationTimeout, AccessLog: stdout, AccessLogFormat: infra.AccessLogFormat(),
	})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", o.port))
	if err != nil {
		return fmt.Errorf("-port %d: %w (choose another with -port, or 0 for a free one)", o.port, err)
	}
	base := fmt.Sprintf("http://%s/%s", l.Addr(), cfg.API.StageName)
	fmt.Fprintln(stdout, base)
	fmt.Fprintf(stderr, "stack %s: stage %s, region %s, throttling %g/s burst %d, table %s on %s\n",
		o.stack, cfg.API.StageName, cfg.Region, rate, burst, table, db.Endpoint)
	fmt.Fprintf(stderr, "call it with the same credentials: go run ./cmd/apicall -region %s %s/whoami\n", cfg.Region, base)

	return serve(ctx, l, gw, db, stderr)
}

// limits are the stage's rate and burst, or those the flags set.
func (o options) limits(cfg stackconfig.Config) (rate float64, burst int) {
	rate, burst = cfg.API.ThrottlingRateLimit, cfg.API.ThrottlingBurstLimit
	if o.rate > 0 {
		rate = o.rate
	}
	if o.burst > 0 {
		burst = o.burst
	}
	return rate, burst
}

// bootstraps is binDir when given, else a temporary directory (removed by remove) where each function
// is built for this machine with the deployment's flags.
func bootstraps(ctx context.Context, root, binDir string, stderr io.Writer) (dir string, remove func(), err error) {
	if binDir != "" {
		return binDir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "private-api-local-")
	if err != nil {
		return "", func() {}, err
	}
	remove = func() { os.RemoveAll(tmp) }
	fmt.Fprintf(stderr, "building %s for %s/%s with the deployment's flags\n", strings.Join(functionbuild.Functions, ", "), runtime.GOOS, runtime.GOARCH)
	if err := buildAll(ctx, root, tmp); err != nil {
		return "", remove, err
	}
	return tmp, remove, nil
}

// localFunctions is what the functions need to run here as they run in AWS.
type localFunctions struct {
	cfg     stackconfig.Config
	binDir  string
	db      *dynalite.Server
	table   string
	account string
	timeout time.Duration
	logs    io.Writer
}

// startFunctions runs each function's bootstrap under its own Runtime API, reaching the table
// through a proxy that applies its role's grants. stop ends whatever started, also after an error.
func startFunctions(ctx context.Context, f localFunctions) (functions map[string]localgateway.Invoker, stop func(), err error) {
	functions = map[string]localgateway.Invoker{}
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	for _, name := range functionbuild.Functions {
		grants := stack.TableGrants(name)
		// Each function reaches the table through its role's grants, as in AWS.
		access, err := tableaccess.New(f.db.Endpoint, grants,
			fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s-role/%s", f.account, name, name),
			fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", f.cfg.Region, f.account, f.table))
		if err != nil {
			return nil, stop, err
		}
		endpoint, stopAccess, err := serveLoopback(access)
		if err != nil {
			return nil, stop, err
		}
		stops = append(stops, stopAccess)
		env := functionEnv(f.db, endpoint)
		if len(grants) > 0 {
			env = append(env, "TABLE_NAME="+f.table)
		}
		p, err := lambdaruntime.Start(ctx, lambdaruntime.Function{
			Name: name, Executable: filepath.Join(f.binDir, name, "bootstrap"), Env: env,
			MemoryMB: f.cfg.Functions.MemoryMB, Timeout: f.timeout, Region: f.cfg.Region, AccountID: f.account,
			MaxEnvironments: environments(f.cfg.Functions.ReservedConcurrency), Logs: f.logs,
		})
		if err != nil {
			return nil, stop, err
		}
		stops = append(stops, p.Close)
		functions[name] = p
		fmt.Fprintf(f.logs, "function %s: pid %v, timeout %s, %d MB\n", name, p.PIDs(), f.timeout, f.cfg.Functions.MemoryMB)
	}
	return functions, stop, nil
}

// serve answers on l until ctx ends (Ctrl-C), the server fails or dynalite exits, then drains.
func serve(ctx context.Context, l net.Listener, gw http.Handler, db *dynalite.Server, stderr io.Writer) error {
	srv := &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-db.Exited():
		_ = srv.Close()
		return errors.New("dynalite exited; the table is gone with it")
	}
	fmt.Fprintln(stderr, "stopping: draining requests, then the functions and dynalite")
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		_ = srv.Close()
	}
	return nil
}

// loadStack reads and validates Pulumi.<stack>.yaml with the program's own config rules.
func loadStack(root, stack string) (stackconfig.Config, error) {
	_, raw, err := mockengine.StackConfig(root, stack)
	if err != nil {
		return stackconfig.Config{}, fmt.Errorf("-stack %s: %w", stack, err)
	}
	cfg, err := stackconfig.ParseMap(raw)
	if err != nil {
		return stackconfig.Config{}, fmt.Errorf("-stack %s: %w", stack, err)
	}
	return cfg, nil
}

// trustedCredentials are the credentials of this shell's default chain: the only ones whose
// signatures the local stage accepts, so apicall in the same shell is let in.
func trustedCredentials(ctx context.Context) (aws.Config, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err == nil {
		_, err = cfg.Credentials.Retrieve(ctx)
	}
	if err != nil {
		return aws.Config{}, fmt.Errorf("no AWS credentials in this shell's default chain (%w); the local API accepts only requests signed with them. "+
			"Export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values: they never leave this machine) or set AWS_PROFILE, "+
			"and call it from the same shell", err)
	}
	return cfg, nil
}

// lookUpCaller asks STS whose the trusted credentials are: the ARN and unique ID API Gateway puts
// in the request context as userArn and caller.
func lookUpCaller(ctx context.Context, cfg aws.Config, region string) (arn, id string, err error) {
	if cfg.Region == "" {
		cfg.Region = region
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", "", fmt.Errorf("-caller-arn %s: GetCallerIdentity: %w (give the ARN itself to run offline)", callerFromSTS, err)
	}
	return aws.ToString(out.Arn), aws.ToString(out.UserId), nil
}

// buildAll builds every function with the deployment's flags, for this machine.
func buildAll(ctx context.Context, root, dir string) error {
	host := functionbuild.Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
	for _, name := range functionbuild.Functions {
		if _, err := functionbuild.Build(ctx, root, dir, name, host); err != nil {
			return err
		}
	}
	return nil
}

// prepareTable creates the table with the deployed key schema, unless a kept data directory
// already has it, and loads the employee directory as the deployment does.
func prepareTable(ctx context.Context, db *dynalite.Server, table string) error {
	client := dynamodb.NewFromConfig(aws.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("dynalite", "dynalite", ""), BaseEndpoint: aws.String(db.Endpoint),
	})
	if err := dynalite.CreateTable(ctx, client, table); err != nil {
		var exists *types.ResourceInUseException
		if !errors.As(err, &exists) {
			return err
		}
	}
	entries, err := directorydata.Entries()
	if err != nil {
		return fmt.Errorf("employee directory: %w", err)
	}
	for _, e := range entries {
		item := map[string]types.AttributeValue{}
		for k, v := range e.Attributes() {
			item[k] = &types.AttributeValueMemberS{Value: v}
		}
		if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
			return fmt.Errorf("seed employee %s: %w", e.EmployeeID, err)
		}
	}
	return nil
}

// functionEnv points a function's SDK at endpoint (its grants in front of dynalite), in place of
// the role credentials and the regional endpoint Lambda would give it; AWS_REGION stays the stack's.
func functionEnv(db *dynalite.Server, endpoint string) []string {
	env := []string{"AWS_ENDPOINT_URL_DYNAMODB=" + endpoint}
	for _, kv := range db.Env() {
		if !strings.HasPrefix(kv, "AWS_REGION=") && !strings.HasPrefix(kv, "AWS_ENDPOINT_URL_DYNAMODB=") {
			env = append(env, kv)
		}
	}
	return env
}

// serveLoopback serves h on a free loopback port and returns its URL and how to stop it.
func serveLoopback(h http.Handler) (string, func(), error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return "http://" + l.Addr().String(), func() { _ = srv.Close() }, nil
}

// unreservedEnvironments caps a function that reserves no concurrency: Lambda would scale it to
// the account's limit, which a laptop need not imitate.
const unreservedEnvironments = 10

// environments is how many execution environments a function may have at once: its reserved
// concurrency, or unreservedEnvironments.
func environments(reserved int) int {
	if reserved > 0 {
		return reserved
	}
	return unreservedEnvironments
}

func accountOf(arn string) string {
	return strings.SplitN(arn, ":", 6)[4]
}
