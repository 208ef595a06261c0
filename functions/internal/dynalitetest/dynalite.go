// Package dynalitetest runs dynalite (internal/dynalite) for the functions' tests: in memory, on
// a free loopback port, with the SDK of the test process pointed at it.
package dynalitetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/example/private-api/internal/dynalite"
	"github.com/example/private-api/internal/functionbuild"
)

// Server is a running dynalite.
type Server = dynalite.Server

// Start runs dynalite from the module's node_modules, in memory. It fails, with the command to
// run, when the npm dev dependencies are not installed.
func Start() (*Server, error) {
	root, err := functionbuild.ModuleRoot(".")
	if err != nil {
		return nil, err
	}
	return dynalite.Start(dynalite.Options{ModuleRoot: root})
}

// Main is a TestMain body: it starts dynalite, sets Env in this process (so the code under test
// and the processes it starts use the server), loads the SDK configuration the way the functions
// do, passes the client to setup (to create tables), runs the tests and stops dynalite. A
// missing dynalite fails the package rather than skipping its tests.
func Main(m *testing.M, setup func(ctx context.Context, client *dynamodb.Client) error) int {
	s, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	defer s.Stop()
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		if err := os.Setenv(k, v); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL:", err)
			return 1
		}
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err == nil {
		err = setup(ctx, dynamodb.NewFromConfig(cfg))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: set up dynalite:", err)
		return 1
	}
	return m.Run()
}

// CreateTable creates a table with the deployed key schema (PK, SK strings, on demand) and
// waits until it is ACTIVE.
func CreateTable(ctx context.Context, client *dynamodb.Client, name string) error {
	return dynalite.CreateTable(ctx, client, name)
}

// UniqueID is prefix plus 16 random hex digits: a key no other test uses, so tests can share
// one table without seeing each other's items.
func UniqueID(t testing.TB, prefix string) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}
