package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/example/private-api/functions/internal/pagetoken"
	"github.com/example/private-api/internal/strictjson"
)

// MaxBodyBytes is the largest request body the contract accepts (64 KiB).
const MaxBodyBytes = 64 << 10

// Page size bounds of every list route.
const (
	DefaultLimit = 25
	MaxLimit     = 100
)

// Header returns the value of the named request header, matched case-insensitively: API Gateway
// passes header names as the client sent them. Values from MultiValueHeaders win, as they keep
// every occurrence; several occurrences are joined with ", " as HTTP list headers are.
func Header(req *events.APIGatewayProxyRequest, name string) (string, bool) {
	var values []string
	for k, vs := range req.MultiValueHeaders {
		if strings.EqualFold(k, name) {
			values = append(values, vs...)
		}
	}
	if len(values) == 0 {
		for k, v := range req.Headers {
			if strings.EqualFold(k, name) {
				values = append(values, v)
			}
		}
	}
	if len(values) == 0 {
		return "", false
	}
	return strings.Join(values, ", "), true
}

// Query returns the named query parameter. When it is repeated, the last value wins, which is
// what API Gateway puts in the single-value map.
func Query(req *events.APIGatewayProxyRequest, name string) (string, bool) {
	if vs := req.MultiValueQueryStringParameters[name]; len(vs) > 0 {
		return vs[len(vs)-1], true
	}
	v, ok := req.QueryStringParameters[name]
	return v, ok
}

// Limit reads the page size from the `limit` query parameter: DefaultLimit when absent, otherwise
// a whole number from 1 to MaxLimit.
func Limit(req *events.APIGatewayProxyRequest) (int, error) {
	raw, ok := Query(req, "limit")
	if !ok {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, Errorf(http.StatusBadRequest, "invalid_limit", "limit must be a whole number from 1 to %d.", MaxLimit)
	}
	return n, nil
}

// Page is the body of every list route. NextToken is absent on the last page.
type Page[T any] struct {
	Items     []T    `json:"items"`
	NextToken string `json:"nextToken,omitempty"`
}

// NewPage builds a page; when more items follow, its token seals cursor (the key of the last
// item) for the list scope names, so that only this list accepts it back.
func NewPage[T any](ctx context.Context, tokens *pagetoken.Codec, scope string, items []T, cursor []byte, more bool) (Page[T], error) {
	if items == nil {
		items = []T{} // an empty page is [] in JSON, never null
	}
	p := Page[T]{Items: items}
	if more {
		t, err := tokens.Seal(ctx, scope, cursor)
		if err != nil {
			return p, err
		}
		p.NextToken = t
	}
	return p, nil
}

// PageCursor reads the `nextToken` query parameter back into the cursor NewPage sealed in it for
// the same scope; nil when the client asks for the first page. A token of another list or
// member, changed or made up, is a 400 invalid_next_token.
func PageCursor(ctx context.Context, req *events.APIGatewayProxyRequest, tokens *pagetoken.Codec, scope string) ([]byte, error) {
	token, ok := Query(req, "nextToken")
	if !ok {
		return nil, nil
	}
	cursor, err := tokens.Open(ctx, scope, token)
	if errors.Is(err, pagetoken.ErrInvalid) {
		return nil, InvalidNextToken()
	}
	return cursor, err
}

// InvalidNextToken is the answer to a nextToken this list did not issue.
func InvalidNextToken() *Error {
	return Errorf(http.StatusBadRequest, "invalid_next_token",
		"nextToken is not one this list issued: send back exactly the token this list returned, or omit it for the first page.")
}

// Body returns the request body, decoding base64 when API Gateway encoded it, and refuses bodies
// over MaxBodyBytes with 413 before decoding them.
func Body(req *events.APIGatewayProxyRequest) ([]byte, error) {
	tooLarge := Errorf(http.StatusRequestEntityTooLarge, "body_too_large", "The body must be at most %d bytes.", MaxBodyBytes)
	if !req.IsBase64Encoded {
		if len(req.Body) > MaxBodyBytes {
			return nil, tooLarge
		}
		return []byte(req.Body), nil
	}
	if base64.StdEncoding.DecodedLen(len(req.Body)) > base64.StdEncoding.DecodedLen(base64.StdEncoding.EncodedLen(MaxBodyBytes)) {
		return nil, tooLarge
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, Errorf(http.StatusBadRequest, "invalid_body", "The body is marked base64-encoded but is not valid base64.")
	}
	if len(b) > MaxBodyBytes {
		return nil, tooLarge
	}
	return b, nil
}

// DecodeJSON decodes body, which must be exactly one JSON object in UTF-8, into v, reading field
// names exactly (strictjson): each name in its documented case and at most once, none that v
// does not declare. Every failure is a 400 that names what to fix.
func DecodeJSON(body []byte, v any) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return Errorf(http.StatusBadRequest, "invalid_json", "The body is empty; send a JSON object.")
	}
	err := strictjson.Unmarshal(body, v)
	if err == nil && trimmed[0] != '{' {
		err = &strictjson.Error{Kind: strictjson.WrongType} // null, which decodes to nothing
	}
	var e *strictjson.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	switch e.Kind {
	case strictjson.NotUTF8:
		return Errorf(http.StatusBadRequest, "invalid_encoding",
			"The body must be UTF-8 encoded JSON; byte %d is not UTF-8 (write text such as é in UTF-8, or as \\u00e9).", e.Offset)
	case strictjson.UnknownField:
		if e.Suggestion != "" {
			return Errorf(http.StatusBadRequest, "unknown_field", "The body has an unknown field %q: field names are case-sensitive; use %q.", e.Path, e.Suggestion)
		}
		return Errorf(http.StatusBadRequest, "unknown_field", "The body has an unknown field %q; remove it.", e.Path)
	case strictjson.DuplicateField:
		return Errorf(http.StatusBadRequest, "duplicate_field", "The body has field %q more than once; send each field once.", e.Path)
	case strictjson.WrongType:
		if e.Path == "" {
			return Errorf(http.StatusBadRequest, "invalid_json", "The body must be a JSON object.")
		}
		return Errorf(http.StatusBadRequest, "invalid_field", "%s must be %s.", e.Path, e.Want)
	}
	return Errorf(http.StatusBadRequest, "invalid_json", "The body is not valid JSON: %s at byte %d.", e.Detail, e.Offset)
}
