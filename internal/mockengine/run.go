package mockengine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"
)

// Run executes program as a preview against a fresh engine, with config given as the Pulumi CLI
// passes it (fully qualified keys, structured values as JSON text). The engine is returned even when
// the program fails, so a test can prove that nothing was registered.
func Run(program pulumi.RunFunc, project, stack string, config map[string]string) (*Engine, error) {
	region := config["aws:region"]
	e := New(project, stack, region)
	err := pulumi.RunErr(program, pulumi.WithMocks(project, stack, e), func(info *pulumi.RunInfo) {
		info.Config = config
		info.DryRun = true
	})
	return e, err
}

// StackConfig reads Pulumi.yaml and Pulumi.<stack>.yaml in dir the way the CLI merges them: the
// project's config defaults first, the stack's values over them, keys qualified with the project name.
func StackConfig(dir, stack string) (project string, config map[string]string, err error) {
	var proj struct {
		Name   string `yaml:"name"`
		Config map[string]struct {
			Default any `yaml:"default"`
			Value   any `yaml:"value"`
		} `yaml:"config"`
	}
	if err := readYAML(filepath.Join(dir, "Pulumi.yaml"), &proj); err != nil {
		return "", nil, err
	}
	var st struct {
		Config map[string]any `yaml:"config"`
	}
	stackFile := filepath.Join(dir, "Pulumi."+stack+".yaml")
	if err := readYAML(stackFile, &st); err != nil {
		return "", nil, fmt.Errorf("stack %q: %w (create it with `pulumi stack init %s` or copy Pulumi.dev.yaml)", stack, err, stack)
	}
	config = map[string]string{}
	set := func(key string, v any) error {
		if v == nil {
			return nil
		}
		if !strings.Contains(key, ":") {
			key = proj.Name + ":" + key
		}
		s, err := configText(v)
		if err != nil {
			return fmt.Errorf("config key %q: %w", key, err)
		}
		config[key] = s
		return nil
	}
	keys := make([]string, 0, len(proj.Config))
	for k := range proj.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := proj.Config[k]
		if err := set(k, c.Default); err != nil {
			return "", nil, err
		}
		if err := set(k, c.Value); err != nil {
			return "", nil, err
		}
	}
	for k, v := range st.Config {
		if err := set(k, v); err != nil {
			return "", nil, err
		}
	}
	return proj.Name, config, nil
}

func readYAML(path string, out any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// configText renders a config value as the CLI hands it to the program: strings as they are,
// everything else as JSON.
func configText(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}
