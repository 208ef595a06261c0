package policydoc

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type noMocks struct{}

func (noMocks) NewResource(pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return "", nil, errors.New("no resources here")
}
func (noMocks) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return nil, errors.New("no calls here")
}

func TestDocument(t *testing.T) {
	t.Run("round_trips_both_principal_forms", func(t *testing.T) {
		in := New(
			Statement{Effect: "Deny", Principal: &Principal{All: true}, Action: []string{"execute-api:Invoke"}, Resource: []string{"arn:x"},
				Condition: Condition{"StringNotEquals": {"aws:SourceVpce": {"vpce-1"}}}},
			Statement{Effect: "Allow", Principal: &Principal{AWS: []string{"arn:aws:iam::123456789012:role/r"}}, Action: []string{"execute-api:Invoke"}, Resource: []string{"arn:x"}},
		)
		s, err := in.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var out Document
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(in, out) {
			t.Errorf("round trip changed the document:\n%s\n%+v", s, out)
		}
	})
	t.Run("rejects_a_string_principal_other_than_star", func(t *testing.T) {
		var p Principal
		if err := json.Unmarshal([]byte(`"arn:aws:iam::123456789012:root"`), &p); err == nil {
			t.Error("accepted a bare ARN string principal")
		}
	})
	t.Run("render_keeps_resource_ids", func(t *testing.T) {
		// An id output resolves to pulumi.ID; dropping it would leave aws:SourceVpce empty.
		rendered := make(chan string, 1)
		err := pulumi.RunErr(func(ctx *pulumi.Context) error {
			out := Render(func(v []string) Document {
				return New(Statement{Effect: "Deny", Action: []string{"a:b"}, Condition: Condition{"StringNotEquals": {"aws:SourceVpce": {v[0]}}}})
			}, pulumi.ID("vpce-123").ToIDOutput())
			out.ApplyT(func(s string) string { rendered <- s; return s })
			return nil
		}, pulumi.WithMocks("p", "s", noMocks{}))
		if err != nil {
			t.Fatal(err)
		}
		select {
		case s := <-rendered:
			if !strings.Contains(s, `"vpce-123"`) {
				t.Errorf("rendered %s without the id", s)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the document was never rendered (an input of an unexpected type fails the render)")
		}
	})
	t.Run("service_trust_names_the_account", func(t *testing.T) {
		d := ServiceTrust("lambda.amazonaws.com", "123456789012")
		st := d.Statement[0]
		if st.Principal.Service[0] != "lambda.amazonaws.com" || st.Condition["StringEquals"]["aws:SourceAccount"][0] != "123456789012" {
			t.Errorf("trust %+v lacks the service or aws:SourceAccount", st)
		}
	})
}
