package stack

import (
	"errors"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/private-api/infra"
	"github.com/example/private-api/internal/mockengine"
	"github.com/example/private-api/internal/mockengine/spec"
)

// deployedStack answers like an account where the stack was deployed before: each function has
// published up to newest (by logical name) and its alias live serves serving (by function name).
type deployedStack struct {
	*mockengine.Engine
	newest  map[string]string
	serving map[string]string
	// lookupErr, when set, is how every alias lookup fails.
	lookupErr error
}

func (d deployedStack) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	id, outputs, err := d.Engine.NewResource(args)
	if v, ok := d.newest[args.Name]; ok && args.TypeToken == mockengine.TypeFunction {
		outputs["version"] = resource.NewStringProperty(v)
	}
	return id, outputs, err
}

func (d deployedStack) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	if args.Token == "aws:lambda/getAlias:getAlias" {
		if d.lookupErr != nil {
			return nil, d.lookupErr
		}
		if v, ok := d.serving[args.Args["functionName"].StringValue()]; ok {
			return resource.NewPropertyMapFromMap(map[string]any{
				"functionName": args.Args["functionName"].StringValue(), "name": infra.LiveAlias, "functionVersion": v,
			}), nil
		}
	}
	return d.Engine.Call(args)
}

// runDeployed runs the program against a deployed stack of this test's functions.
func runDeployed(t *testing.T, cfg map[string]string, newest, serving map[string]string) (*mockengine.Engine, error) {
	t.Helper()
	return runDeployedStack(t, cfg, deployedStack{Engine: mockengine.New(spec.Project, "test", spec.Region), newest: newest}, serving)
}

func runDeployedStack(t *testing.T, cfg map[string]string, d deployedStack, serving map[string]string) (*mockengine.Engine, error) {
	t.Helper()
	d.serving = map[string]string{}
	for fn, v := range serving {
		d.serving[spec.Project+"-test-"+fn] = v
	}
	err := pulumi.RunErr(testProgram, pulumi.WithMocks(spec.Project, "test", d), func(info *pulumi.RunInfo) {
		info.Config = cfg
		info.DryRun = true
	})
	return d.Engine, err
}

// aliasOf returns a function's alias live: the version it serves and its additional version weights.
func aliasOf(t *testing.T, e *mockengine.Engine, function string) (version string, weights map[string]any) {
	t.Helper()
	a := spec.Named(t, e, tAlias, function+"-live")
	if spec.Str(a.Inputs, "name") != "live" || !strings.HasPrefix(spec.Str(a.Inputs, "functionName"), spec.Project+"-test-"+function) {
		t.Errorf("alias %s: name %q of function %q, want live of %s", a.Name, spec.Str(a.Inputs, "name"), spec.Str(a.Inputs, "functionName"), function)
	}
	if a.Parent != spec.Named(t, e, "private-api:infra:GoFunction", function).URN {
		t.Errorf("alias %s is not a child of its GoFunction", a.Name)
	}
	return spec.Str(a.Inputs, "functionVersion"), spec.Obj(spec.Obj(a.Inputs, "routingConfig"), "additionalVersionWeights")
}

// TestReleases: every function publishes versions and serves through live; a pin rolls one back,
// a canary splits live between the version it served and the newest.
func TestReleases(t *testing.T) {
	dev := spec.StackConfig(t, projectRoot, devStack)

	t.Run("canary_0_live_serves_the_newest_published_version", func(t *testing.T) {
		e := runProgram(t, dev)
		for _, fn := range e.OfType(tFunction) {
			if fn.Inputs["publish"] != true {
				t.Errorf("function %s does not publish versions", fn.Name)
			}
			version, weights := aliasOf(t, e, fn.Name)
			if version != spec.Str(fn.Outputs, "version") || version == "$LATEST" || weights != nil {
				t.Errorf("%s: live serves %q with weights %v, want the newest published version %q alone", fn.Name, version, weights, spec.Str(fn.Outputs, "version"))
			}
		}
		for _, c := range e.Calls() {
			if c == "aws:lambda/getAlias:getAlias" {
				t.Error("without a canary the program read the deployed alias")
			}
		}
	})

	t.Run("a_canary_gives_the_newest_its_share_and_the_served_version_the_rest", func(t *testing.T) {
		cfg := spec.WithKey(t, dev, "functions", map[string]any{"canaryPercent": 10})
		e, err := runDeployed(t, cfg, map[string]string{"claims": "8", "employees": "5", "whoami": "3"},
			map[string]string{"claims": "7", "employees": "5", "whoami": "3"})
		if err != nil {
			t.Fatal(err)
		}
		if version, weights := aliasOf(t, e, "claims"); version != "7" || len(weights) != 1 || weights["8"] != 0.1 {
			t.Errorf("claims: live serves %q with %v, want 7 with 10%% to 8", version, weights)
		}
		for _, unchanged := range []string{"employees", "whoami"} {
			if version, weights := aliasOf(t, e, unchanged); weights != nil {
				t.Errorf("%s did not change, yet live serves %q with %v", unchanged, version, weights)
			}
		}
	})

	t.Run("a_first_deploy_has_nothing_to_canary_against", func(t *testing.T) {
		e := runProgram(t, spec.WithKey(t, dev, "functions", map[string]any{"canaryPercent": 10}))
		for _, fn := range e.OfType(tFunction) {
			if version, weights := aliasOf(t, e, fn.Name); version != "1" || weights != nil {
				t.Errorf("%s: live serves %q with %v on a new stack, want version 1 alone", fn.Name, version, weights)
			}
		}
	})

	t.Run("a_pin_points_live_at_that_version_and_runs_no_canary", func(t *testing.T) {
		cfg := spec.WithKey(t, dev, "functions", map[string]any{"canaryPercent": 20, "pinnedVersions": map[string]int{"claims": 6}})
		e, err := runDeployed(t, cfg, map[string]string{"claims": "8", "employees": "5", "whoami": "3"},
			map[string]string{"claims": "8", "employees": "4", "whoami": "3"})
		if err != nil {
			t.Fatal(err)
		}
		if version, weights := aliasOf(t, e, "claims"); version != "6" || weights != nil {
			t.Errorf("claims pinned to 6: live serves %q with %v", version, weights)
		}
		if version, weights := aliasOf(t, e, "employees"); version != "4" || weights["5"] != 0.2 {
			t.Errorf("employees (not pinned): live serves %q with %v, want 4 with 20%% to 5", version, weights)
		}
	})

	t.Run("a_pin_beyond_the_newest_version_fails_naming_the_key", func(t *testing.T) {
		cfg := spec.WithKey(t, dev, "functions", map[string]any{"pinnedVersions": map[string]int{"whoami": 9}})
		_, err := runDeployed(t, cfg, map[string]string{"whoami": "3"}, nil)
		if err == nil || !strings.Contains(err.Error(), "private-api:functions.pinnedVersions.whoami: 9 is not a published version") {
			t.Fatalf("err %v, want the pin refused", err)
		}
	})

	t.Run("an_alias_lookup_that_fails_otherwise_stops_the_deploy", func(t *testing.T) {
		cfg := spec.WithKey(t, dev, "functions", map[string]any{"canaryPercent": 10})
		denied := errors.New("reading Lambda Alias: operation error Lambda: GetAlias, https response error StatusCode: 403, AccessDeniedException")
		_, err := runDeployedStack(t, cfg, deployedStack{Engine: mockengine.New(spec.Project, "test", spec.Region), lookupErr: denied}, nil)
		if err == nil || !strings.Contains(err.Error(), "needs lambda:GetAlias") || !strings.Contains(err.Error(), "AccessDeniedException") {
			t.Fatalf("err %v, want the lookup's failure and the permission it needs", err)
		}
	})

	t.Run("a_canary_keeps_the_API_deployment", func(t *testing.T) {
		// The API invokes the alias, whose ARN does not change with the versions behind it, so a
		// canary, a pin or a new version never redeploys the stage.
		trigger := func(e *mockengine.Engine) string {
			return spec.Str(spec.Obj(spec.Named(t, e, tDeployment, "private-deployment").Inputs, "triggers"), "redeployment")
		}
		plain := runProgram(t, dev)
		cfg := spec.WithKey(t, dev, "functions", map[string]any{"canaryPercent": 10, "pinnedVersions": map[string]int{"whoami": 2}})
		canary, err := runDeployed(t, cfg, map[string]string{"claims": "8", "whoami": "3"}, map[string]string{"claims": "7"})
		if err != nil {
			t.Fatal(err)
		}
		if trigger(plain) != trigger(canary) {
			t.Error("a canary and a pin changed the deployment trigger")
		}
	})
}

func TestAliasNotFound(t *testing.T) {
	for text, want := range map[string]bool{
		"invoke of aws:lambda/getAlias:getAlias failed: reading Lambda Alias: couldn't find resource": true,
		"getting Lambda alias: ResourceNotFoundException: Function not found":                         true,
		"reading Lambda Alias: AccessDeniedException: not authorized to perform lambda:GetAlias":      false,
	} {
		if got := aliasNotFound(errors.New(text)); got != want {
			t.Errorf("aliasNotFound(%q) = %t, want %t", text, got, want)
		}
	}
}
