package localgateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// accessLog is a parsed access-log format: a JSON object whose values hold $context variables,
// rendered per request with the values API Gateway substitutes
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html).
type accessLog struct {
	keys      []string
	templates []string
}

var contextVar = regexp.MustCompile(`\$context\.[A-Za-z0-9_.]+`)

// parseAccessLogFormat keeps the format's keys in order, so lines read as the deployed ones do.
func parseAccessLogFormat(format string) (*accessLog, error) {
	dec := json.NewDecoder(strings.NewReader(format))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("access log format %q: want a JSON object of $context variables", format)
	}
	l := &accessLog{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("access log format: %w", err)
		}
		key, _ := tok.(string) // inside an object, a token in key position is a string
		var value string
		if err := dec.Decode(&value); err != nil {
			return nil, fmt.Errorf("access log format: key %q: want a string value: %w", key, err)
		}
		l.keys, l.templates = append(l.keys, key), append(l.templates, value)
	}
	return l, nil
}

// render fills the format; a variable without a value is "-", as in API Gateway's logs.
func (l *accessLog) render(vars map[string]string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, key := range l.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		value := contextVar.ReplaceAllStringFunc(l.templates[i], func(name string) string {
			if v, ok := vars[strings.TrimPrefix(name, "$context.")]; ok && v != "" {
				return v
			}
			return "-"
		})
		k, _ := json.Marshal(key)
		v, _ := json.Marshal(value)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// contextVars are the $context values of one finished request.
func (g *Gateway) contextVars(x *exchange) map[string]string {
	vars := map[string]string{
		"requestId":         x.requestID,
		"extendedRequestId": x.requestID,
		"requestTime":       x.started.UTC().Format(requestTimeLayout),
		"requestTimeEpoch":  strconv.FormatInt(x.started.UnixMilli(), 10),
		"httpMethod":        x.method,
		"resourcePath":      x.resourcePath,
		"stage":             g.cfg.Stage,
		"apiId":             g.cfg.APIID,
		"status":            strconv.Itoa(x.status),
		"responseLatency":   strconv.FormatInt(time.Since(x.started).Milliseconds(), 10),
		"error.message":     x.errorMessage,
		"identity.sourceIp": x.sourceIP,
		"identity.vpceId":   LocalVPCEndpoint,
		"identity.vpcId":    localVPC,
	}
	if x.errorMessage != "" {
		vars["error.messageString"] = strconv.Quote(x.errorMessage)
	}
	if x.integrated {
		ms := strconv.FormatInt(x.integrationLatency.Milliseconds(), 10)
		vars["integrationLatency"], vars["integration.latency"] = ms, ms
	}
	if id := x.identity; id != nil {
		vars["identity.caller"], vars["identity.user"] = id.caller, id.caller
		vars["identity.userArn"], vars["identity.accountId"], vars["identity.accessKey"] = id.userArn, id.accountID, id.accessKey
	}
	return vars
}
