package ids

import (
	"regexp"
	"strings"
	"testing"
)

// contract is the rule as DESIGN.md writes it; Valid must agree with it on every input.
var contract = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func TestValidAgreesWithTheContract(t *testing.T) {
	for _, s := range []string{"", "a", "m-1", "A_z-09", strings.Repeat("x", 64), strings.Repeat("x", 65),
		"a b", "a/b", "é", "a\n", "a.b", "-", "_", "DIRECTORY#1", "\x00"} {
		if Valid(s) != contract.MatchString(s) {
			t.Errorf("Valid(%q) = %v, the contract says %v", s, Valid(s), contract.MatchString(s))
		}
	}
}

func FuzzValidAgreesWithTheContract(f *testing.F) {
	for _, s := range []string{"m-1", "", strings.Repeat("y", 65), "a\u00e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Valid(s) != contract.MatchString(s) {
			t.Errorf("Valid(%q) = %v, the contract says %v", s, Valid(s), contract.MatchString(s))
		}
	})
}
