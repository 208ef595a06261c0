package main

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/example/private-api/internal/policydoc"
)

const seedPolicy = `{"Version":"2012-10-17","Statement":[` +
	`{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-0a1b2c3d4e5f60718"}}},` +
	`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/client"},"Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"}]}`

func TestDecodePolicy(t *testing.T) {
	apiGatewayForm := strings.NewReplacer(`"`, `\"`, `/`, `\/`).Replace(seedPolicy)
	for name, raw := range map[string]string{
		"plain_JSON":                seedPolicy,
		"API_Gateway_escaped":       apiGatewayForm,
		"quoted_JSON_string":        `"` + strings.ReplaceAll(seedPolicy, `"`, `\"`) + `"`,
		"URL_encoded":               url.PathEscape(seedPolicy),
		"URL_encoded_and_escaped":   url.PathEscape(apiGatewayForm),
		"surrounded_by_white_space": "\n  " + apiGatewayForm + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			doc, err := decodePolicy(raw)
			if err != nil {
				t.Fatalf("decodePolicy: %v", err)
			}
			if len(doc.Statement) != 2 || doc.Statement[0].Effect != "Deny" ||
				!slices.Equal(doc.Statement[0].Condition["StringNotEquals"]["aws:SourceVpce"], policydoc.Strings{"vpce-0a1b2c3d4e5f60718"}) ||
				!slices.Equal(doc.Statement[1].Resource, policydoc.Strings{"arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"}) {
				t.Errorf("decoded %+v", doc)
			}
		})
	}
	for name, raw := range map[string]string{
		"truncated":        apiGatewayForm[:90],
		"not_JSON":         "Allow everyone",
		"no_statements":    `{"Version":"2012-10-17","Statement":[]}`,
		"JSON_null":        "null",
		"statement_string": `{"Statement":"Allow"}`,
	} {
		t.Run("rejects_"+name, func(t *testing.T) {
			if doc, err := decodePolicy(raw); err == nil {
				t.Errorf("decoded %+v, want an error", doc)
			}
		})
	}
}
