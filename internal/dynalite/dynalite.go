// Package dynalite runs dynalite, an in-memory (or on-disk) DynamoDB engine from the project's
// npm dev dependencies, on a free loopback port, and points the AWS SDK at it through the same
// variables a deployed function reads. The tests and `make local` both use it.
package dynalite

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Server is a running dynalite.
type Server struct {
	// Endpoint is its URL, http://127.0.0.1:<port>.
	Endpoint string
	cmd      *exec.Cmd
	exited   chan struct{}
	stderr   *syncBuffer
}

// Options choose where dynalite runs from and what it keeps.
type Options struct {
	// ModuleRoot is the directory holding node_modules/dynalite.
	ModuleRoot string
	// DataDir, when set, is dynalite's LevelDB directory, so tables and items outlive the
	// process; empty keeps everything in memory.
	DataDir string
}

const startTimeout = 15 * time.Second

// Start runs dynalite from <ModuleRoot>/node_modules. It fails, with the command to run, when
// the npm dev dependencies are not installed.
func Start(opts Options) (*Server, error) {
	cli := filepath.Join(opts.ModuleRoot, "node_modules", "dynalite", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		return nil, fmt.Errorf("dynalite is not installed (%s is missing): run `npm ci` in %s, or `make test`, which does", cli, opts.ModuleRoot)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("dynalite runs on Node.js 20 or later, and node is not on PATH: %w", err)
	}
	if opts.DataDir != "" {
		if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("dynalite data directory: %w", err)
		}
	}
	// Another process may take the port between our probe and dynalite's listen: try again then.
	for attempt := 1; ; attempt++ {
		s, err := start(node, cli, opts.DataDir)
		if err == nil || attempt == 3 {
			return s, err
		}
	}
}

func start(node, cli, dataDir string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{cli, "--host", "127.0.0.1", "--port", strconv.Itoa(port),
		// Tables are ACTIVE at once instead of after dynalite's default 500 ms.
		"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"}
	if dataDir != "" {
		args = append(args, "--path", dataDir)
	}
	cmd := exec.Command(node, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s := &Server{Endpoint: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, exited: make(chan struct{}), stderr: &syncBuffer{}}
	cmd.Stderr = s.stderr
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start dynalite: %w", err)
	}
	ready := make(chan struct{})
	go func() {
		// dynalite prints "Dynalite listening at: ..." once it listens; keep reading after
		// that so it never blocks on a full pipe.
		listening := false
		for sc := bufio.NewScanner(stdout); sc.Scan(); {
			if !listening && strings.Contains(sc.Text(), "listening") {
				listening = true
				close(ready)
			}
		}
		_ = cmd.Wait()
		close(s.exited)
	}()
	select {
	case <-ready:
		return s, nil
	case <-s.exited:
		return nil, fmt.Errorf("dynalite exited before listening on port %d: %s", port, s.stderr.String())
	case <-time.After(startTimeout):
		s.Stop()
		return nil, fmt.Errorf("dynalite did not listen on port %d within %s: %s", port, startTimeout, s.stderr.String())
	}
}

// Stop ends dynalite and waits for it to exit.
func (s *Server) Stop() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// Exited is closed once dynalite's process has ended.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// Env is the environment that points the SDK's default configuration at this server, with
// static credentials and none of the caller's profiles, so a developer's AWS setup can neither
// leak into the processes that use it nor be reached by them.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_DYNAMODB=" + s.Endpoint,
		"AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=dynalite",
		"AWS_SECRET_ACCESS_KEY=dynalite",
		"AWS_SESSION_TOKEN=",
		"AWS_PROFILE=",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// CreateTable creates a table with the deployed key schema (PK, SK strings, on demand) and
// waits until it is ACTIVE.
func CreateTable(ctx context.Context, client *dynamodb.Client, name string) error {
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("SK"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("SK"), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	})
	if err != nil {
		return fmt.Errorf("create table %s: %w", name, err)
	}
	return dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 10 * time.Millisecond
		o.MaxDelay = 100 * time.Millisecond
	}).Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 10*time.Second)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("find a free port: listener has no TCP address")
	}
	return addr.Port, nil
}

// syncBuffer collects a child's stderr for error messages while the child still writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(b.buf.String())
}
