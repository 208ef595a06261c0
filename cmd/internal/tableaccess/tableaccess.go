// Package tableaccess stands between a function and the local DynamoDB engine and refuses the
// calls its role could not make in AWS: an action none of its grants lists, or items of a
// partition its grants do not match (the dynamodb:LeadingKeys condition of the deployed role).
// Locally the engine accepts anything, so without it a function reaching past its grants would
// work on a laptop and fail after the deploy.
package tableaccess

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/example/private-api/infra"
)

// partitionKey is the table's hash key attribute (infra's Table: PK, SK).
const partitionKey = "PK"

// targetPrefix is the X-Amz-Target prefix of DynamoDB's JSON protocol.
const targetPrefix = "DynamoDB_20120810."

// Proxy forwards to the engine the calls grants allow and answers the others as DynamoDB does.
type Proxy struct {
	grants    []infra.TableGrant
	principal string
	tableArn  string
	next      http.Handler
}

// New returns a proxy to the engine at endpoint for a function whose role has grants; principal
// and tableArn word the refusals.
func New(endpoint string, grants []infra.TableGrant, principal, tableArn string) (*Proxy, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("DynamoDB endpoint %q: want a URL such as http://127.0.0.1:8000", endpoint)
	}
	return &Proxy{grants: grants, principal: principal, tableArn: tableArn, next: httputil.NewSingleHostReverseProxy(u)}, nil
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	action := "dynamodb:" + strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	keys, err := leadingKeys(action, body)
	if err == nil && !p.allows(action, keys) {
		err = fmt.Errorf("User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action",
			p.principal, action, p.tableArn, action)
	}
	if err != nil {
		// DynamoDB's refusal of a call the caller's policies do not allow: 400 AccessDeniedException
		// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CommonErrors.html).
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazon.coral.service#AccessDeniedException", "Message": err.Error()})
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	p.next.ServeHTTP(w, r)
}

// allows applies the role's statements: one grant must list the action and match every leading
// key with its partitions (ForAllValues:StringLike; a call without leading keys matches, as in IAM).
func (p *Proxy) allows(action string, keys []string) bool {
	for _, g := range p.grants {
		if !slices.Contains(g.Actions, action) {
			continue
		}
		if !slices.ContainsFunc(keys, func(k string) bool { return !matchesAny(g.Partitions, k) }) {
			return true
		}
	}
	return false
}

func matchesAny(patterns []string, value string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return stringLike(p, value) })
}

// stringLike is IAM's StringLike: * any run of characters, ? one character.
func stringLike(pattern, value string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	ok, _ := regexp.MatchString(re, value)
	return ok
}

type attr struct {
	S string `json:"S"`
}

// leadingKeys are the partition-key values a call touches, what IAM checks as dynamodb:LeadingKeys.
func leadingKeys(action string, body []byte) ([]string, error) {
	var in struct {
		Key                       map[string]attr `json:"Key"`
		Item                      map[string]attr `json:"Item"`
		KeyConditionExpression    string          `json:"KeyConditionExpression"`
		ExpressionAttributeNames  map[string]string
		ExpressionAttributeValues map[string]attr
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("%s: the request is not DynamoDB JSON: %w", action, err)
	}
	switch {
	case in.Key != nil:
		return []string{in.Key[partitionKey].S}, nil
	case in.Item != nil:
		return []string{in.Item[partitionKey].S}, nil
	case in.KeyConditionExpression != "":
		for _, m := range equality.FindAllStringSubmatch(in.KeyConditionExpression, -1) {
			name := m[1]
			if alias, ok := in.ExpressionAttributeNames[name]; ok {
				name = alias
			}
			if name == partitionKey {
				return []string{in.ExpressionAttributeValues[m[2]].S}, nil
			}
		}
		return nil, fmt.Errorf("%s: no %s = :value in KeyConditionExpression %q", action, partitionKey, in.KeyConditionExpression)
	}
	return nil, nil
}

var equality = regexp.MustCompile(`(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)`)
