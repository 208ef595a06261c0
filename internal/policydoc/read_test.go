package policydoc

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestParseReadsWhatTheWriterWrites: a document from New reads back with the same statements.
func TestParseReadsWhatTheWriterWrites(t *testing.T) {
	text, err := New(Statement{Sid: "A", Effect: "Deny", Principal: &Principal{All: true}, Action: []string{"execute-api:Invoke"},
		Resource:  []string{"arn:aws:execute-api:eu-west-1:123456789012:abc/*"},
		Condition: Condition{"StringNotEquals": {"aws:SourceVpce": {"vpce-1"}}}}).JSON()
	if err != nil {
		t.Fatal(err)
	}
	for name, form := range map[string]string{
		"as_written":         text,
		"API_Gateway_escape": strings.NewReplacer(`"`, `\"`, `/`, `\/`).Replace(text),
		"URL_encoded":        url.PathEscape(text),
	} {
		t.Run(name, func(t *testing.T) {
			doc, err := Parse(form)
			if err != nil {
				t.Fatal(err)
			}
			s := doc.Statement[0]
			if s.Sid != "A" || !s.Principal.All || !s.Allows("EXECUTE-API:invoke") ||
				!slices.Equal(s.Condition.Values("AWS:SOURCEVPCE", "StringNotEquals"), []string{"vpce-1"}) {
				t.Errorf("read %+v", s)
			}
		})
	}
}

// TestParseAcceptsEveryShapeIAMDoes: one statement as an object, single values, a "*" in an AWS
// list, booleans in conditions; and refuses what IAM refuses.
func TestParseAcceptsEveryShapeIAMDoes(t *testing.T) {
	doc, err := Parse(`{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:role/a","*"]},"Action":"s3:Get*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	s := doc.Statement[0]
	if !s.Principal.All || !s.Allows("s3:GetObject") || s.Allows("s3:PutObject") || !slices.Equal(s.Condition.Values("aws:SecureTransport", "Bool"), []string{"false"}) {
		t.Errorf("read %+v", s)
	}
	for _, bad := range []string{`{"Statement":[]}`, `{"Statement":{"Principal":"arn:aws:iam::1:root"}}`, `not json`} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%s) accepted", bad)
		}
	}
}
