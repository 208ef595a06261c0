package bootstraps_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/example/private-api/internal/awsfake"
)

// TestEngineFloor proves the cold-start baseline testdata/enginefloor does the work any client of
// the table must: its GetItem reaches dynalite and comes back, and it is signed as AWS checks a
// signature (dynalite checks none, so a local endpoint verifies it with awsfake). Otherwise the
// bench's engine floor would measure less than a real client does.
func TestEngineFloor(t *testing.T) {
	event := apiEvent("GET", "/", nil, "")

	t.Run("reads_from_dynalite", func(t *testing.T) {
		api := newRuntimeAPI(t)
		fn := startFunction(t, baseline(t, "enginefloor"), api, "TABLE_NAME="+tableName)
		if resp, _ := call(t, api, fn, event); resp.StatusCode != 200 {
			t.Errorf("%d %s", resp.StatusCode, resp.Body)
		}
	})

	withoutToken := awsfake.Credentials
	withoutToken.SessionToken = ""
	for name, creds := range map[string]aws.Credentials{"with_a_session_token": awsfake.Credentials, "without": withoutToken} {
		t.Run("signs_its_request_"+name, func(t *testing.T) {
			// call fails the test when the baseline reports an error, which a 403 here makes it do.
			engine := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, err := io.ReadAll(r.Body)
				if err == nil {
					err = awsfake.VerifySignature(r, body, creds, "dynamodb", "eu-west-1")
				}
				if err != nil {
					awsfake.WriteError(w, http.StatusForbidden, "InvalidSignatureException", err.Error())
					return
				}
				_, _ = io.WriteString(w, "{}")
			}))
			defer engine.Close()
			api := newRuntimeAPI(t)
			fn := startFunction(t, baseline(t, "enginefloor"), api, "TABLE_NAME="+tableName,
				"AWS_ENDPOINT_URL_DYNAMODB="+engine.URL, "AWS_REGION=eu-west-1",
				"AWS_ACCESS_KEY_ID="+creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey,
				"AWS_SESSION_TOKEN="+creds.SessionToken)
			if resp, _ := call(t, api, fn, event); resp.StatusCode != 200 {
				t.Errorf("%d %s", resp.StatusCode, resp.Body)
			}
		})
	}
}
