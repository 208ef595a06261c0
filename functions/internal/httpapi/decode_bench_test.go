package httpapi

import "testing"

// BenchmarkDecodeJSON is the cost of reading a create body, the largest the claims routes take.
func BenchmarkDecodeJSON(b *testing.B) {
	body := []byte(`{"policyId": "POL-7", "memberName": "Ada Lovelace", "amount": 120.5, "currency": "EUR",
	"description": "Broken wrist", "incidentDate": "2025-02-27"}`)
	type newClaim struct {
		PolicyID     string   `json:"policyId"`
		MemberName   string   `json:"memberName"`
		Amount       *float64 `json:"amount"`
		Currency     *string  `json:"currency"`
		Description  *string  `json:"description"`
		IncidentDate *string  `json:"incidentDate"`
	}
	b.ReportAllocs()
	for b.Loop() {
		var v newClaim
		if err := DecodeJSON(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}
