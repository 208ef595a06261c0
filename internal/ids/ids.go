// Package ids holds the contract's rule for the identifiers callers put in paths and bodies
// (memberId, policyId, employeeId): ^[A-Za-z0-9_-]{1,64}$. A loop, not a regexp, so no pattern is
// compiled at start-up, which every cold start would pay.
package ids

// MaxLen is the longest identifier the contract accepts.
const MaxLen = 64

// Valid reports whether s is 1 to 64 ASCII letters, digits, '_' or '-'.
func Valid(s string) bool {
	if len(s) == 0 || len(s) > MaxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}
