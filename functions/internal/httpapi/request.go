package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
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

// NewPage builds a page; when more items follow, the token carries cursor (the key of the last
// item) in a form the client treats as opaque.
func NewPage[T any](items []T, cursor string, more bool) Page[T] {
	if items == nil {
		items = []T{} // an empty page is [] in JSON, never null
	}
	p := Page[T]{Items: items}
	if more {
		p.NextToken = base64.RawURLEncoding.EncodeToString([]byte(cursor))
	}
	return p
}

// Cursor reads the `nextToken` query parameter back into the cursor NewPage put in it; "" when the
// client asks for the first page. valid checks the decoded cursor, so a forged or mangled token is
// a 400, not a store error.
func Cursor(req *events.APIGatewayProxyRequest, valid func(string) bool) (string, error) {
	token, ok := Query(req, "nextToken")
	if !ok {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) == 0 || !valid(string(b)) {
		return "", Errorf(http.StatusBadRequest, "invalid_next_token", "nextToken is not one this API issued; send it back exactly as received, or omit it for the first page.")
	}
	return string(b), nil
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

// DecodeJSON decodes body, which must be exactly one JSON object, into v and rejects fields v does
// not declare. Every failure is a 400 that names what to fix.
func DecodeJSON(body []byte, v any) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return Errorf(http.StatusBadRequest, "invalid_json", "The body is empty; send a JSON object.")
	}
	if trimmed[0] != '{' {
		return Errorf(http.StatusBadRequest, "invalid_json", "The body must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Errorf(http.StatusBadRequest, "invalid_json", "The body must hold one JSON object and nothing after it.")
	}
	return nil
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var apiErr *Error
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &typeErr):
		return Errorf(http.StatusBadRequest, "invalid_field", "%s must be %s.", typeErr.Field, jsonKind(typeErr.Type))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no error type for this; its message is stable and names the field.
		return Errorf(http.StatusBadRequest, "unknown_field", "The body has an %s; remove it.", strings.TrimPrefix(err.Error(), "json: "))
	default:
		// Syntax errors and truncated input: the decoder's text holds only offsets and the
		// offending character, which helps the caller find the mistake.
		return Errorf(http.StatusBadRequest, "invalid_json", "The body is not valid JSON: %s.", strings.TrimPrefix(err.Error(), "json: "))
	}
}

// jsonKind names the JSON type a Go type accepts, for error messages.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}
