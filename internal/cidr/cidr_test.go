package cidr

import (
	"reflect"
	"strings"
	"testing"
)

func TestSubnets(t *testing.T) {
	cases := []struct {
		vpc     string
		prefix  int
		count   int
		want    []string
		wantErr string
	}{
		{"10.10.0.0/16", 24, 3, []string{"10.10.0.0/24", "10.10.1.0/24", "10.10.2.0/24"}, ""},
		{"10.10.0.0/24", 26, 4, []string{"10.10.0.0/26", "10.10.0.64/26", "10.10.0.128/26", "10.10.0.192/26"}, ""},
		{"10.10.0.0/24", 26, 5, nil, "5 subnets of /26 do not fit"},
		{"10.10.0.0/24", 23, 1, nil, "larger than the VPC"},
	}
	for _, tc := range cases {
		got, err := Subnets(tc.vpc, tc.prefix, tc.count)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Subnets(%s, %d, %d) error %v, want %q", tc.vpc, tc.prefix, tc.count, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Subnets(%s, %d, %d) = %v, %v; want %v", tc.vpc, tc.prefix, tc.count, got, err, tc.want)
		}
	}
}
