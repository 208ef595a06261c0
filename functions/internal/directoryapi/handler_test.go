package directoryapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/example/private-api/functions/internal/dynalitetest"
	"github.com/example/private-api/functions/internal/dynamo"
	"github.com/example/private-api/functions/internal/pagetoken"
	"github.com/example/private-api/internal/directorydata"
)

// fakeStore is a Store whose behaviour each test sets; a call nobody set up is an error.
type fakeStore struct {
	getEmployee   func(ctx context.Context, id string) (directorydata.Employee, error)
	listEmployees func(ctx context.Context, limit int, after string) ([]directorydata.Employee, bool, error)
}

var (
	_ Store = (*fakeStore)(nil)
	_ Store = (*dynamo.Store)(nil)
)

func (f *fakeStore) PageKey(context.Context, byte, bool) ([]byte, error) {
	return bytes.Repeat([]byte{7}, pagetoken.KeySize), nil
}

func (f *fakeStore) GetEmployee(ctx context.Context, id string) (directorydata.Employee, error) {
	if f.getEmployee == nil {
		return directorydata.Employee{}, errors.New("fakeStore: unexpected GetEmployee")
	}
	return f.getEmployee(ctx, id)
}

func (f *fakeStore) ListEmployees(ctx context.Context, limit int, after string) ([]directorydata.Employee, bool, error) {
	if f.listEmployees == nil {
		return nil, false, errors.New("fakeStore: unexpected ListEmployees")
	}
	return f.listEmployees(ctx, limit, after)
}

const tableName = "directory-api-test"

func TestMain(m *testing.M) {
	os.Exit(dynalitetest.Main(m, func(ctx context.Context, c *dynamodb.Client) error {
		if err := dynalitetest.CreateTable(ctx, c, tableName); err != nil {
			return err
		}
		return dynamo.New(c, tableName).SeedDirectory(ctx)
	}))
}

func call(t *testing.T, store Store, method, resource string, params, query map[string]string) (events.APIGatewayProxyResponse, map[string]any) {
	t.Helper()
	resp, err := New(store).Handle(context.Background(), events.APIGatewayProxyRequest{
		HTTPMethod: method, Resource: resource, PathParameters: params, QueryStringParameters: query,
		RequestContext: events.APIGatewayProxyRequestContext{RequestID: "r1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if resp.Headers["Content-Type"] != "application/json" || json.Unmarshal([]byte(resp.Body), &body) != nil {
		t.Fatalf("response %d %v %q is not JSON", resp.StatusCode, resp.Headers, resp.Body)
	}
	return resp, body
}

func TestHandler(t *testing.T) {
	ada := directorydata.Employee{EmployeeID: "E1", Name: "Ada", Role: "Engineer", Department: "R&D", Email: "ada@example.com", Location: "London"}

	t.Run("get", func(t *testing.T) {
		var asked string
		store := &fakeStore{getEmployee: func(_ context.Context, id string) (directorydata.Employee, error) {
			asked = id
			return ada, nil
		}}
		resp, body := call(t, store, http.MethodGet, ItemResource, map[string]string{"employeeId": "E1"}, nil)
		if resp.StatusCode != 200 || asked != "E1" || body["employeeId"] != "E1" || body["role"] != "Engineer" {
			t.Errorf("%d %s (asked %q)", resp.StatusCode, resp.Body, asked)
		}
	})

	t.Run("errors", func(t *testing.T) {
		notFound := &fakeStore{getEmployee: func(context.Context, string) (directorydata.Employee, error) {
			return directorydata.Employee{}, directorydata.ErrNotFound
		}}
		failing := &fakeStore{listEmployees: func(context.Context, int, string) ([]directorydata.Employee, bool, error) {
			return nil, false, errors.New("dynamodb Query on secret-table: boom")
		}}
		for _, tc := range []struct {
			name     string
			store    Store
			method   string
			resource string
			params   map[string]string
			query    map[string]string
			status   int
			code     string
		}{
			{"unknown_employee", notFound, http.MethodGet, ItemResource, map[string]string{"employeeId": "E9"}, nil, 404, "employee_not_found"},
			{"invalid_employee_id", &fakeStore{}, http.MethodGet, ItemResource, map[string]string{"employeeId": "E 1"}, nil, 400, "invalid_employee_id"},
			{"invalid_limit", &fakeStore{}, http.MethodGet, CollectionResource, nil, map[string]string{"limit": "500"}, 400, "invalid_limit"},
			{"invalid_token", &fakeStore{}, http.MethodGet, CollectionResource, nil,
				map[string]string{"nextToken": base64.RawURLEncoding.EncodeToString([]byte("E 1"))}, 400, "invalid_next_token"},
			// The token format before issue 16: any employee ID, base64url-encoded, was taken.
			{"token_made_up_from_an_employee_id", &fakeStore{}, http.MethodGet, CollectionResource, nil,
				map[string]string{"nextToken": base64.RawURLEncoding.EncodeToString([]byte("E1"))}, 400, "invalid_next_token"},
			{"store_failure", failing, http.MethodGet, CollectionResource, nil, nil, 500, "internal_error"},
			{"write_method", &fakeStore{}, http.MethodPost, CollectionResource, nil, nil, 405, "method_not_allowed"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := call(t, tc.store, tc.method, tc.resource, tc.params, tc.query)
				if resp.StatusCode != tc.status || body["error"] != tc.code {
					t.Errorf("%d %s, want %d %s", resp.StatusCode, resp.Body, tc.status, tc.code)
				}
			})
		}
	})
}

func TestOnDynamoDB(t *testing.T) {
	t.Setenv("TABLE_NAME", tableName)
	store, err := dynamo.FromEnvironment(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want, err := directorydata.Entries()
	if err != nil {
		t.Fatal(err)
	}
	var got []directorydata.Employee
	query := map[string]string{"limit": "4"}
	for pages := 0; ; pages++ {
		if pages > len(want) {
			t.Fatal("pagination does not end")
		}
		resp, _ := call(t, store, http.MethodGet, CollectionResource, nil, query)
		var page struct {
			Items     []directorydata.Employee
			NextToken string
		}
		if err := json.Unmarshal([]byte(resp.Body), &page); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, resp.Body)
		}
		got = append(got, page.Items...)
		if page.NextToken == "" {
			break
		}
		query["nextToken"] = page.NextToken
	}
	if len(got) != len(want) {
		t.Fatalf("listed %d employees, want the %d of employees.json", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// The token of the first page, changed in its last character, is refused.
	query = map[string]string{"limit": "4"}
	first, _ := call(t, store, http.MethodGet, CollectionResource, nil, query)
	var page struct{ NextToken string }
	_ = json.Unmarshal([]byte(first.Body), &page)
	if page.NextToken == "" {
		t.Fatal("no token on the first page")
	}
	query["nextToken"] = page.NextToken[:len(page.NextToken)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(page.NextToken, "A")]
	if resp, body := call(t, store, http.MethodGet, CollectionResource, nil, query); resp.StatusCode != 400 || body["error"] != "invalid_next_token" {
		t.Errorf("a changed token: %d %s, want 400 invalid_next_token", resp.StatusCode, resp.Body)
	}
	resp, body := call(t, store, http.MethodGet, ItemResource, map[string]string{"employeeId": want[0].EmployeeID}, nil)
	if resp.StatusCode != 200 || body["name"] != want[0].Name {
		t.Errorf("get %s: %d %s", want[0].EmployeeID, resp.StatusCode, resp.Body)
	}
	resp, _ = call(t, store, http.MethodGet, ItemResource, map[string]string{"employeeId": "E0000"}, nil)
	if resp.StatusCode != 404 {
		t.Errorf("get of an unknown employee: %d", resp.StatusCode)
	}
}
