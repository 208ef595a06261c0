package awsfake

import (
	"path/filepath"
	"testing"
)

// UseCredentials makes config.LoadDefaultConfig in this test resolve Credentials and region, and
// nothing from the developer's own AWS files, profile or instance metadata. Point a client at a fake
// with the service's standard variable, for example t.Setenv("AWS_ENDPOINT_URL_SSM", server.URL).
func UseCredentials(t testing.TB, region string) {
	t.Helper()
	dir := t.TempDir()
	for key, value := range map[string]string{
		"AWS_ACCESS_KEY_ID":                   Credentials.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":               Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN":                   Credentials.SessionToken,
		"AWS_REGION":                          region,
		"AWS_DEFAULT_REGION":                  "",
		"AWS_PROFILE":                         "",
		"AWS_CONFIG_FILE":                     filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE":         filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":           "true",
		"AWS_CA_BUNDLE":                       "",
		"AWS_ENDPOINT_URL":                    "",
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "",
		// One attempt: a fake's error is the answer under test, not a reason to back off and retry.
		"AWS_MAX_ATTEMPTS": "1",
	} {
		t.Setenv(key, value)
	}
}
