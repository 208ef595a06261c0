package mockengine

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

type component struct{ pulumi.ResourceState }

type custom struct{ pulumi.CustomResourceState }

func TestEngine(t *testing.T) {
	t.Run("fails_on_an_unexpected_data_source", func(t *testing.T) {
		_, err := Run(func(ctx *pulumi.Context) error {
			var out map[string]any
			return ctx.Invoke("aws:ec2/getVpc:getVpc", map[string]any{"default": true}, &out)
		}, "p", "s", map[string]string{"aws:region": "eu-west-1"})
		if err == nil || !strings.Contains(err.Error(), `unexpected data-source call "aws:ec2/getVpc:getVpc"`) {
			t.Fatalf("want the call refused, got %v", err)
		}
	})
	t.Run("records_parent_dependencies_protect_and_placeholders", func(t *testing.T) {
		e, err := Run(func(ctx *pulumi.Context) error {
			parent := &component{}
			if err := ctx.RegisterComponentResource("p:infra:Thing", "thing", parent); err != nil {
				return err
			}
			first := &custom{}
			if err := ctx.RegisterResource("aws:ec2/vpc:Vpc", "first", pulumi.Map{"cidrBlock": pulumi.String("10.0.0.0/16")}, first, pulumi.Parent(parent)); err != nil {
				return err
			}
			second := &custom{}
			return ctx.RegisterResource("aws:ec2/subnet:Subnet", "second", pulumi.Map{"vpcId": first.ID()}, second,
				pulumi.Parent(parent), pulumi.DependsOn([]pulumi.Resource{first}), pulumi.Protect(true))
		}, "p", "s", map[string]string{"aws:region": "eu-west-1"})
		if err != nil {
			t.Fatal(err)
		}
		thing, _ := e.Named("p:infra:Thing", "thing")
		first, _ := e.Named("aws:ec2/vpc:Vpc", "first")
		second, ok := e.Named("aws:ec2/subnet:Subnet", "second")
		if !ok || second.Parent != thing.URN || first.Parent != thing.URN {
			t.Fatalf("parents: %q %q, want %q", first.Parent, second.Parent, thing.URN)
		}
		if !second.Protect || len(second.Dependencies) != 1 || second.Dependencies[0] != first.URN {
			t.Errorf("second: protect %v, dependencies %v", second.Protect, second.Dependencies)
		}
		if second.Inputs["vpcId"] != "${first.id}" || first.Outputs["defaultSecurityGroupId"] != "${first.defaultSecurityGroupId}" {
			t.Errorf("placeholders: %v %v", second.Inputs["vpcId"], first.Outputs["defaultSecurityGroupId"])
		}
		if r, ok := e.Resolve("${first.id}"); !ok || r.Name != "first" {
			t.Errorf("Resolve(${first.id}) = %v, %v", r.Name, ok)
		}
	})
}

// The location of a resource is the program's own frame, below the SDK frames that register it.
func TestProgramFrame(t *testing.T) {
	frame := func(path string, line int32) *pulumirpc.StackFrame {
		return &pulumirpc.StackFrame{Pc: &pulumirpc.SourcePosition{Uri: "file://" + path, Line: line}}
	}
	frames := []*pulumirpc.StackFrame{
		frame("/root/go/pkg/mod/github.com/pulumi/pulumi-aws/sdk/v6@v6.83.4/go/aws/ec2/vpc.go", 300),
		{},
		frame(filepath.Join(projectRoot, "internal/mockengine/engine_test.go"), 10),
		frame(filepath.Join(projectRoot, "infra/api%20network.go"), 42),
		frame(filepath.Join(projectRoot, "main.go"), 7),
	}
	if got := programFrame(frames); got != "infra/api network.go:42" {
		t.Errorf("programFrame = %q, want the infra frame", got)
	}
	if got := programFrame(frames[:3]); got != "" {
		t.Errorf("programFrame with no program frame = %q, want empty", got)
	}
	// A resource a shared builder registers is located where a component calls the builder.
	viaBuilder := append([]*pulumirpc.StackFrame{frames[0], frame(filepath.Join(projectRoot, builders), 20)}, frames[3:]...)
	if got := programFrame(viaBuilder); got != "infra/api network.go:42" {
		t.Errorf("programFrame through %s = %q, want the caller's frame", builders, got)
	}
	// The composition registers components too: its frames are the program's.
	stack := []*pulumirpc.StackFrame{frame(filepath.Join(projectRoot, "stack/stack.go"), 99)}
	if got := programFrame(stack); got != "stack/stack.go:99" {
		t.Errorf("programFrame = %q, want the composition's frame", got)
	}
}

func TestGetPartitionFollowsTheRegion(t *testing.T) {
	for region, want := range map[string][3]string{
		"eu-west-1":     {"aws", "amazonaws.com", "com.amazonaws"},
		"cn-north-1":    {"aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"},
		"us-gov-west-1": {"aws-us-gov", "amazonaws.com", "com.amazonaws"},
	} {
		var out map[string]any
		e, err := Run(func(ctx *pulumi.Context) error {
			return ctx.Invoke("aws:index/getPartition:getPartition", map[string]any{}, &out)
		}, "p", "s", map[string]string{"aws:region": region})
		if err != nil {
			t.Fatal(err)
		}
		if got := [3]string{out["partition"].(string), out["dnsSuffix"].(string), out["reverseDnsPrefix"].(string)}; got != want {
			t.Errorf("%s: %v, want %v", region, got, want)
		}
		if e.Partition() != want[0] {
			t.Errorf("%s: engine partition %q, want %q", region, e.Partition(), want[0])
		}
	}
}

// A function with publish and its alias answer with the shapes AWS gives a new stack: version 1,
// ARNs qualified with the version or the alias, invoke ARNs of API Gateway's Lambda path; a lookup of
// an alias answers as for one that does not exist yet.
func TestLambdaVersionsAndAliases(t *testing.T) {
	e, err := Run(func(ctx *pulumi.Context) error {
		fn := &custom{}
		if err := ctx.RegisterResource(TypeFunction, "fn", pulumi.Map{"name": pulumi.String("p-s-fn"), "publish": pulumi.Bool(true)}, fn); err != nil {
			return err
		}
		if err := ctx.RegisterResource(TypeAlias, "fn-live", pulumi.Map{"name": pulumi.String("live"), "functionName": pulumi.String("p-s-fn"), "functionVersion": pulumi.String("1")}, &custom{}); err != nil {
			return err
		}
		var out map[string]any
		err := ctx.Invoke("aws:lambda/getAlias:getAlias", map[string]any{"functionName": "p-s-fn", "name": "live"}, &out)
		if err == nil || !strings.Contains(err.Error(), "reading Lambda Alias: couldn't find resource") {
			t.Errorf("getAlias: %v, want the provider's not-found error", err)
		}
		return nil
	}, "p", "s", map[string]string{"aws:region": "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	fn, _ := e.Named(TypeFunction, "fn")
	alias, _ := e.Named(TypeAlias, "fn-live")
	fnArn := "arn:aws:lambda:eu-west-1:" + Account + ":function:p-s-fn"
	want := map[string]any{
		"fn.arn": fnArn, "fn.version": "1", "fn.qualifiedArn": fnArn + ":1",
		"fn.invokeArn":    "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/" + fnArn + "/invocations",
		"alias.arn":       fnArn + ":live",
		"alias.invokeArn": "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/" + fnArn + ":live/invocations",
	}
	got := map[string]any{
		"fn.arn": fn.Outputs["arn"], "fn.version": fn.Outputs["version"], "fn.qualifiedArn": fn.Outputs["qualifiedArn"],
		"fn.invokeArn": fn.Outputs["invokeArn"], "alias.arn": alias.Outputs["arn"], "alias.invokeArn": alias.Outputs["invokeArn"],
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	if len(e.Calls()) != 1 {
		t.Errorf("calls %v, want the lookup recorded", e.Calls())
	}
}
