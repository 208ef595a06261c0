package infra

import (
	"strings"
	"testing"
)

// Unit tests of the components' own rules, without Pulumi.

func TestTableItemNames(t *testing.T) {
	got, err := itemKey(`{"PK":{"S":"DIRECTORY"},"SK":{"S":"EMPLOYEE#e-001"},"name":{"S":"Ada"}}`)
	if err != nil || got != "directory-employee-e-001" {
		t.Errorf("itemKey = %q, %v", got, err)
	}
	if _, err := itemKey(`{"PK":{"S":"DIRECTORY"}}`); err == nil {
		t.Error("an item without SK was accepted")
	}
}

// TestRouteLive is the rule for what the alias live serves, without Pulumi.
func TestRouteLive(t *testing.T) {
	cases := []struct {
		name             string
		newest           string
		pin, percent     int
		serving          string
		want             liveRoute
		wantErrIncluding []string
	}{
		{"no_canary_the_newest_takes_all", "4", 0, 0, "3", liveRoute{Version: "4"}, nil},
		{"a_canary_splits_the_serving_and_the_newest", "4", 0, 10, "3", liveRoute{Version: "3", Canary: "4", Weight: 0.1}, nil},
		{"the_largest_canary_is_half", "9", 0, 50, "7", liveRoute{Version: "7", Canary: "9", Weight: 0.5}, nil},
		{"first_deploy_no_alias_yet_no_canary", "1", 0, 10, "", liveRoute{Version: "1"}, nil},
		{"unchanged_function_no_canary", "4", 0, 10, "4", liveRoute{Version: "4"}, nil},
		{"a_pin_is_exact", "7", 3, 0, "7", liveRoute{Version: "3"}, nil},
		{"a_pin_runs_no_canary", "7", 3, 10, "7", liveRoute{Version: "3"}, nil},
		{"a_pin_beyond_the_newest_names_the_key", "2", 5, 0, "", liveRoute{},
			[]string{"config private-api:functions.pinnedVersions.claims: 5 is not a published version", "newest of claims is 2"}},
		{"a_canary_against_LATEST_is_refused", "4", 0, 10, "$LATEST", liveRoute{},
			[]string{"config private-api:functions.canaryPercent", `live serves "$LATEST"`, "deploy with canaryPercent 0 first"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := routeLive("claims", tc.newest, tc.pin, tc.percent, tc.serving, ReleaseSettings{
				Pin: "config private-api:functions.pinnedVersions.claims", Canary: "config private-api:functions.canaryPercent"})
			if tc.wantErrIncluding != nil {
				if err == nil {
					t.Fatalf("got %+v, want an error", got)
				}
				for _, w := range tc.wantErrIncluding {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
			if got.Version == "$LATEST" || got.Canary == "$LATEST" || (got.Canary != "" && got.Canary == got.Version) {
				t.Errorf("%+v: live must serve published versions, and a canary a version other than the main one", got)
			}
		})
	}
}
