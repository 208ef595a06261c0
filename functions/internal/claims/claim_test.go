package claims

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2025, 3, 1, 9, 30, 0, 123456789, time.FixedZone("CET", 3600))

func TestNewClaim(t *testing.T) {
	amount, currency := 12.5, "CHF"
	c := NewClaim{PolicyID: "P-1", MemberName: "Ada", Amount: &amount, Currency: &currency}.Claim("m1", "id1", now)
	if c.Status != StatusSubmitted || c.Version != 1 || c.ETag() != `"1"` {
		t.Errorf("new claim %s v%d %s, want SUBMITTED v1 \"1\"", c.Status, c.Version, c.ETag())
	}
	if c.CreatedAt != "2025-03-01T08:30:00.123Z" || c.UpdatedAt != c.CreatedAt {
		t.Errorf("timestamps %s / %s, want UTC with milliseconds", c.CreatedAt, c.UpdatedAt)
	}
	negZero := math.Copysign(0, -1)
	if c := (NewClaim{Amount: &negZero}).Claim("m", "i", now); math.Signbit(*c.Amount) {
		t.Error("-0 is stored as -0")
	}
}

func TestFingerprint(t *testing.T) {
	decode := func(body string) NewClaim {
		var n NewClaim
		if err := json.Unmarshal([]byte(body), &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	a := decode(`{"policyId":"P","memberName":"N","amount":10,"description":"x"}`)
	same := decode(`{ "description" : "x", "amount": 1e1, "memberName":"N", "policyId":"P" }`)
	other := decode(`{"policyId":"P","memberName":"N","amount":10,"description":"y"}`)
	noAmount := decode(`{"policyId":"P","memberName":"N","description":"x"}`)
	zero := decode(`{"policyId":"P","memberName":"N","amount":0,"description":"x"}`)
	negZero := decode(`{"policyId":"P","memberName":"N","amount":-0,"description":"x"}`)
	if a.Fingerprint() != same.Fingerprint() {
		t.Error("the same request spelled differently has another fingerprint")
	}
	if a.Fingerprint() == other.Fingerprint() || noAmount.Fingerprint() == zero.Fingerprint() {
		t.Error("different requests share a fingerprint")
	}
	if zero.Fingerprint() != negZero.Fingerprint() {
		t.Error("amount 0 and -0 differ, though they store the same claim")
	}
}

func TestPatch(t *testing.T) {
	amount := 50.0
	base := Claim{MemberID: "m", ClaimID: "c", PolicyID: "P", MemberName: "N", Amount: &amount, Currency: "EUR",
		Description: "d", IncidentDate: "2025-01-01", Status: StatusSubmitted, CreatedAt: "t0", UpdatedAt: "t0", Version: 2}
	var p Patch
	if err := json.Unmarshal([]byte(`{"amount":null,"currency":"USD","description":null,"status":"PAID"}`), &p); err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	got := p.Apply(base, now)
	want := Claim{MemberID: "m", ClaimID: "c", PolicyID: "P", MemberName: "N", Currency: "USD",
		IncidentDate: "2025-01-01", Status: StatusPaid, CreatedAt: "t0", UpdatedAt: "2025-03-01T08:30:00.123Z", Version: 3}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("Apply = %s\nwant    %s", gotJSON, wantJSON)
	}
	if *base.Amount != 50 || base.Version != 2 {
		t.Error("Apply changed the claim it was given")
	}

	var invalid *ValidationError
	if err := (Patch{}).Validate(); !errors.As(err, &invalid) {
		t.Errorf("empty patch: err = %v, want a ValidationError", err)
	}
}

func TestIdentifiers(t *testing.T) {
	if id, ok := ParseClaimID("0195503A-0C2F-7A1E-8B3C-4D5E6F708192"); !ok || id != "0195503a-0c2f-7a1e-8b3c-4d5e6f708192" {
		t.Errorf("ParseClaimID of an upper-case UUID = %q, %v", id, ok)
	}
	for _, bad := range []string{"", "urn:uuid:0195503a-0c2f-7a1e-8b3c-4d5e6f708192", "0195503a0c2f7a1e8b3c4d5e6f708192", "0195503a-0c2f-7a1e-8b3c-4d5e6f70819g"} {
		if _, ok := ParseClaimID(bad); ok {
			t.Errorf("ParseClaimID(%q) accepted", bad)
		}
	}
	for key, want := range map[string]bool{
		"5f0c3b1e-a": true, "k": true, strings.Repeat("k", 255): true,
		"": false, strings.Repeat("k", 256): false, "a b": false, "a,b": false, "ключ": false, "a\tb": false,
	} {
		if ValidIdempotencyKey(key) != want {
			t.Errorf("ValidIdempotencyKey(%q) = %v", key, !want)
		}
	}
	for id, want := range map[string]bool{"M-1_a": true, strings.Repeat("m", 64): true, strings.Repeat("m", 65): false, "m.1": false, "": false} {
		if ValidMemberID(id) != want {
			t.Errorf("ValidMemberID(%q) = %v", id, !want)
		}
	}
}

// FuzzNewClaim checks that whatever a create body holds, a claim that passes validation is one
// the table can store: its amount is a DynamoDB number of at most 38 significant digits, its
// texts within the limits, and its fingerprint stable.
func FuzzNewClaim(f *testing.F) {
	for _, seed := range []string{
		`{"policyId":"P-1","memberName":"Ada","amount":120.5,"currency":"EUR","description":"x","incidentDate":"2025-02-27"}`,
		`{"policyId":"P","memberName":"N","amount":999999999.999}`,
		`{"policyId":"P","memberName":"N","amount":1e-7}`,
		`{"policyId":"P","memberName":"N","amount":-0}`,
		`{"policyId":"P","memberName":" ","currency":"eur"}`,
		`{"policyId":"P","memberName":"N","incidentDate":"2024-02-29"}`,
		`{"policyId":"","memberName":""}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var n NewClaim
		if json.Unmarshal([]byte(body), &n) != nil || n.Validate() != nil {
			return
		}
		c := n.Claim("m", "c", now)
		if c.Amount != nil {
			digits := strings.TrimLeft(strings.ReplaceAll(strconv.FormatFloat(*c.Amount, 'f', -1, 64), ".", ""), "0")
			if len(digits) > 38 || *c.Amount < 0 || math.Signbit(*c.Amount) {
				t.Errorf("valid amount %v is not a storable non-negative number", *c.Amount)
			}
		}
		if len(c.Description) > 4*maxDescriptionChars || len(c.MemberName) > 4*maxNameChars || !validID(c.PolicyID) {
			t.Errorf("valid claim %+v breaks a limit", c)
		}
		if n.Fingerprint() != n.Fingerprint() {
			t.Error("fingerprint is not stable")
		}
	})
}

// FuzzPatch checks that a patch that passes validation always yields a valid next version.
func FuzzPatch(f *testing.F) {
	for _, seed := range []string{
		`{"status":"APPROVED"}`, `{"amount":null,"currency":null}`, `{"status":null}`, `{}`,
		`{"amount":0.125,"incidentDate":"2025-12-31","description":"ok"}`, `{"currency":"usd"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var p Patch
		if json.Unmarshal([]byte(body), &p) != nil || p.Validate() != nil {
			return
		}
		amount := 1.0
		next := p.Apply(Claim{PolicyID: "P", MemberName: "N", Amount: &amount, Status: StatusSubmitted, Version: 1}, now)
		if !next.Status.Valid() || next.Version != 2 {
			t.Errorf("valid patch %s gave status %q version %d", body, next.Status, next.Version)
		}
		var v validator
		if next.Amount != nil {
			v.amount(*next.Amount)
		}
		if next.Currency != "" {
			v.currency(next.Currency)
		}
		if next.IncidentDate != "" {
			v.incidentDate(next.IncidentDate)
		}
		if err := v.err(); err != nil {
			t.Errorf("valid patch %s gave an invalid claim: %v", body, err)
		}
	})
}

func TestCurrencyCodes(t *testing.T) {
	for _, c := range strings.Fields(currencyCodes) {
		if len(c) != 3 || !validCurrency(c) {
			t.Errorf("%q in the list is refused", c)
		}
	}
	for _, c := range []string{"", "EU", "EURO", "eur", "ED ", " AF", "D A", "XAU", "BOV", "XTS", "ZZZ"} {
		if validCurrency(c) {
			t.Errorf("%q is accepted", c)
		}
	}
}
