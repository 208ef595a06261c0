package executeapi

import "testing"

func TestParseHost(t *testing.T) {
	cases := []struct {
		name string
		want Host
	}{
		{"a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com", Host{Kind: APIHost, APIID: "a1b2c3d4e5", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}},
		{"a1b2c3d4e5.execute-api.us-gov-west-1.amazonaws.com", Host{Kind: APIHost, APIID: "a1b2c3d4e5", Region: "us-gov-west-1", DNSSuffix: "amazonaws.com"}},
		{"a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn", Host{Kind: APIHost, APIID: "a1b2c3d4e5", Region: "cn-north-1", DNSSuffix: "amazonaws.com.cn"}},
		{"a1b2c3d4e5-vpce-0123456789abcdef0.execute-api.us-east-1.amazonaws.com",
			Host{Kind: EndpointAlias, APIID: "a1b2c3d4e5", VPCEndpointID: "vpce-0123456789abcdef0", Region: "us-east-1", DNSSuffix: "amazonaws.com"}},
		{"vpce-0123456789abcdef0-4x5y6z7w.execute-api.ap-southeast-2.vpce.amazonaws.com",
			Host{Kind: EndpointDNS, VPCEndpointID: "vpce-0123456789abcdef0", Region: "ap-southeast-2"}},
		{"vpce-0123456789abcdef0-4x5y6z7w-us-east-1a.execute-api.us-east-1.vpce.amazonaws.com",
			Host{Kind: EndpointDNS, VPCEndpointID: "vpce-0123456789abcdef0", Region: "us-east-1"}},
		{"api.example.com", Host{Kind: Other}},
		{"localhost", Host{Kind: Other}},
		{"a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com.evil.example", Host{Kind: Other}},
		{"A1B2C3D4E5.execute-api.eu-west-1.amazonaws.com.", Host{Kind: Other}},
		{"toolongapiid1.execute-api.eu-west-1.amazonaws.com", Host{Kind: Other}},
	}
	for _, tc := range cases {
		if got := ParseHost(tc.name); got != tc.want {
			t.Errorf("ParseHost(%q) = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// TestHostNamesReadBack: every name this package builds, it reads back as what it was built from.
func TestHostNamesReadBack(t *testing.T) {
	for _, suffix := range []string{"amazonaws.com", "amazonaws.com.cn"} {
		api := APIHostName("a1b2c3d4e5", "eu-west-1", suffix)
		if got, want := ParseHost(api), (Host{Kind: APIHost, APIID: "a1b2c3d4e5", Region: "eu-west-1", DNSSuffix: suffix}); got != want {
			t.Errorf("ParseHost(%q) = %+v, want %+v", api, got, want)
		}
		alias := EndpointAliasHostName("a1b2c3d4e5", "vpce-0123456789abcdef0", "eu-west-1", suffix)
		if got, want := ParseHost(alias), (Host{Kind: EndpointAlias, APIID: "a1b2c3d4e5", VPCEndpointID: "vpce-0123456789abcdef0", Region: "eu-west-1", DNSSuffix: suffix}); got != want {
			t.Errorf("ParseHost(%q) = %+v, want %+v", alias, got, want)
		}
	}
}
