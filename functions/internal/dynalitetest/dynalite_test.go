package dynalitetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStartWithoutDynaliteSaysToRunNpmCi(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/empty\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	s, err := Start()
	if err == nil {
		s.Stop()
		t.Fatal("Start succeeded in a module without node_modules")
	}
	if !strings.Contains(err.Error(), "npm ci") {
		t.Errorf("err = %v, want it to say to run npm ci", err)
	}
}

func TestServer(t *testing.T) {
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Endpoint, "http://127.0.0.1:") {
		t.Errorf("endpoint %s is not on loopback", s.Endpoint)
	}
	s.Stop()
	select {
	case <-s.Exited():
	default:
		t.Error("Stop returned while dynalite still runs")
	}
}
