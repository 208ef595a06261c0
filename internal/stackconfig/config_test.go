package stackconfig

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"github.com/example/private-api/internal/mockengine"
)

const repoRoot = "../.."

func TestPulumiYAML(t *testing.T) {
	t.Run("is_a_valid_project_for_the_CLI", func(t *testing.T) {
		// The CLI's own loader checks the schema and that every default matches its declared type.
		proj, err := workspace.LoadProject(filepath.Join(repoRoot, "Pulumi.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if proj.Name.String() != Project {
			t.Errorf("project name %q, want %q", proj.Name, Project)
		}
		for key, c := range proj.Config {
			if c.Type == nil || c.Description == "" || c.Default == nil {
				t.Errorf("config key %s needs a type, a description and a default", key)
			}
		}
		for _, stack := range []string{"dev", "prod", "multi"} {
			if _, err := workspace.LoadProjectStack(nil, proj, filepath.Join(repoRoot, "Pulumi."+stack+".yaml")); err != nil {
				t.Errorf("Pulumi.%s.yaml: %v", stack, err)
			}
		}
	})

	t.Run("defaults_match_the_code", func(t *testing.T) {
		// A stack that sets only its region gets exactly Defaults(): the schema documents the truth.
		dir := t.TempDir()
		b, err := os.ReadFile(filepath.Join(repoRoot, "Pulumi.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		must(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), b, 0o600))
		must(t, os.WriteFile(filepath.Join(dir, "Pulumi.empty.yaml"), []byte("config:\n  aws:region: us-east-1\n"), 0o600))
		_, values, err := mockengine.StackConfig(dir, "empty")
		must(t, err)
		got, err := Parse(lookup(values))
		must(t, err)
		want := Defaults()
		want.Region = "us-east-1"
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Pulumi.yaml defaults differ from Defaults():\n got %+v\nwant %+v", got, want)
		}
	})

	t.Run("a_stack_sets_only_what_it_changes", func(t *testing.T) {
		got, err := Parse(lookup(map[string]string{
			"aws:region":          "eu-west-1",
			"private-api:network": `{"azCount": 3}`,
		}))
		must(t, err)
		if got.Network.AZCount != 3 || got.Network.APIVpcCidr != Defaults().Network.APIVpcCidr {
			t.Errorf("partial object did not keep the other defaults: %+v", got.Network)
		}
	})

	t.Run("prod_differs_as_documented", func(t *testing.T) {
		_, values, err := mockengine.StackConfig(repoRoot, "prod")
		must(t, err)
		got, err := Parse(lookup(values))
		must(t, err)
		if got.Network.AZCount != 3 || !got.Network.FlowLogs || got.Logs.RetentionDays != 365 ||
			!got.Table.DeletionProtection || !got.Table.Protect || got.Table.Encryption != EncryptionCustomerManaged {
			t.Errorf("prod config is not the production shape: %+v", got)
		}
	})
}

func lookup(values map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := values[k]; return v, ok }
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
