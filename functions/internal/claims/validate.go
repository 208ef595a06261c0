package claims

import (
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/example/private-api/internal/ids"
)

// Limits of the fields, chosen so that a valid claim always fits the table: amounts stay within
// the 38 significant digits a DynamoDB number keeps, texts far below the 400 KB item size.
const (
	maxAmount            = 1_000_000_000 // in the claim's currency
	amountDecimals       = 1000          // at most 3 decimal places, the most ISO 4217 uses
	maxNameChars         = 200
	maxDescriptionChars  = 2000
	maxIdempotencyKeyLen = 255
)

// validID is the contract's rule for memberId, also applied to policyId.
func validID(s string) bool { return ids.Valid(s) }

// ValidMemberID reports whether s matches ^[A-Za-z0-9_-]{1,64}$.
func ValidMemberID(s string) bool { return validID(s) }

// ParseClaimID returns the canonical (lower-case) form of a claim ID, which must be a UUID in its
// 36-character form; ok is false otherwise.
func ParseClaimID(s string) (id string, ok bool) {
	if len(s) != 36 {
		return "", false
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// ValidIdempotencyKey reports whether s can be an Idempotency-Key: 1 to 255 visible ASCII
// characters other than ',' (which would make a repeated header ambiguous).
func ValidIdempotencyKey(s string) bool {
	if len(s) == 0 || len(s) > maxIdempotencyKeyLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == ',' {
			return false
		}
	}
	return true
}

func validName(s string) bool {
	return strings.TrimSpace(s) != "" && utf8.RuneCountInString(s) <= maxNameChars && !strings.ContainsFunc(s, unicode.IsControl)
}

// validator collects the problems of one request, so the caller learns all of them at once.
type validator struct {
	problems []string
}

func (v *validator) check(ok bool, problem string) {
	if !ok {
		v.problems = append(v.problems, problem)
	}
}

func (v *validator) amount(a float64) {
	v.check(a >= 0 && a <= maxAmount && math.Round(a*amountDecimals)/amountDecimals == a,
		"amount must be a number from 0 to 1000000000 with at most 3 decimal places")
}

func (v *validator) currency(c string) {
	v.check(validCurrency(c), "currency must be an ISO 4217 code in capitals, such as EUR or USD")
}

// validCurrency looks c up in currencyCodes, a search rather than a map built at start-up.
func validCurrency(c string) bool {
	if len(c) != 3 || strings.ContainsAny(c, " ") {
		return false
	}
	i := strings.Index(currencyCodes, c)
	return i >= 0 && i%4 == 0
}

func (v *validator) description(d string) {
	v.check(utf8.RuneCountInString(d) <= maxDescriptionChars, "description must be at most 2000 characters")
}

func (v *validator) incidentDate(d string) {
	_, err := time.Parse(time.DateOnly, d)
	v.check(err == nil, "incidentDate must be a calendar date written YYYY-MM-DD")
}

func (v *validator) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: v.problems}
}

// currencyCodes are the active ISO 4217 currency codes, each three capitals and a space, so a code
// is found at a multiple of 4; fund, precious-metal and testing codes (BOV, XAU, XTS, ...) are left
// out because no claim is paid in them.
const currencyCodes = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL " +
	"BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD " +
	"FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS " +
	"KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK " +
	"MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD " +
	"SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX " +
	"USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG "
