// Package claims is the claims domain: the claim, what a create and a partial update may carry,
// the rules they must meet, and the errors a claim store reports.
package claims

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Status is where a claim is in its life.
type Status string

// The statuses the contract allows. A new claim is SUBMITTED.
const (
	StatusSubmitted Status = "SUBMITTED"
	StatusInReview  Status = "IN_REVIEW"
	StatusApproved  Status = "APPROVED"
	StatusRejected  Status = "REJECTED"
	StatusPaid      Status = "PAID"
)

// Valid reports whether s is one of the contract's statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusSubmitted, StatusInReview, StatusApproved, StatusRejected, StatusPaid:
		return true
	}
	return false
}

// TimeLayout is how createdAt and updatedAt are written: RFC 3339 in UTC with milliseconds, so
// the strings sort as the instants do.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// Claim is a member's claim as stored and as returned.
type Claim struct {
	MemberID     string   `json:"memberId"`
	ClaimID      string   `json:"claimId"`
	PolicyID     string   `json:"policyId"`
	MemberName   string   `json:"memberName"`
	Amount       *float64 `json:"amount,omitempty"`
	Currency     string   `json:"currency,omitempty"`
	Description  string   `json:"description,omitempty"`
	IncidentDate string   `json:"incidentDate,omitempty"`
	Status       Status   `json:"status"`
	CreatedAt    string   `json:"createdAt"`
	UpdatedAt    string   `json:"updatedAt"`
	Version      int      `json:"version"`
	// IdempotencyKey is the Idempotency-Key the claim was created with, if any. It is never
	// returned: the store keeps it so that deleting the claim can close the key's record.
	IdempotencyKey string `json:"-"`
}

// ETag is the strong entity tag of this version of the claim. Every write bumps Version, so
// the tag changes exactly when the claim does.
func (c Claim) ETag() string { return `"` + strconv.Itoa(c.Version) + `"` }

// NewClaim is the body of a create. Required fields are plain strings (absent and empty are
// both missing); optional ones are pointers, so an empty string is checked, not ignored.
type NewClaim struct {
	PolicyID     string   `json:"policyId"`
	MemberName   string   `json:"memberName"`
	Amount       *float64 `json:"amount"`
	Currency     *string  `json:"currency"`
	Description  *string  `json:"description"`
	IncidentDate *string  `json:"incidentDate"`
}

// Validate reports every rule n breaks, as a *ValidationError.
func (n NewClaim) Validate() error {
	var v validator
	v.check(validID(n.PolicyID), "policyId is required: 1 to 64 letters, digits, '_' or '-'")
	v.check(validName(n.MemberName), "memberName is required: 1 to 200 characters, no control characters")
	if n.Amount != nil {
		v.amount(*n.Amount)
	}
	if n.Currency != nil {
		v.currency(*n.Currency)
	}
	if n.Description != nil {
		v.description(*n.Description)
	}
	if n.IncidentDate != nil {
		v.incidentDate(*n.IncidentDate)
	}
	return v.err()
}

// Claim is the first version of the claim n describes. n must be valid.
func (n NewClaim) Claim(memberID, claimID string, now time.Time) Claim {
	ts := now.UTC().Format(TimeLayout)
	c := Claim{
		MemberID:   memberID,
		ClaimID:    claimID,
		PolicyID:   n.PolicyID,
		MemberName: n.MemberName,
		Amount:     normalAmount(n.Amount),
		Status:     StatusSubmitted,
		CreatedAt:  ts,
		UpdatedAt:  ts,
		Version:    1,
	}
	if n.Currency != nil {
		c.Currency = *n.Currency
	}
	if n.Description != nil {
		c.Description = *n.Description
	}
	if n.IncidentDate != nil {
		c.IncidentDate = *n.IncidentDate
	}
	return c
}

// Fingerprint identifies what n asks for, independent of key order and spacing in the body it
// came from: an Idempotency-Key retry must match it, and another body under the key must not.
func (n NewClaim) Fingerprint() string {
	n.Amount = normalAmount(n.Amount)
	// A struct of strings and a finite float always encodes.
	b, _ := json.Marshal(n)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// normalAmount turns -0, which JSON allows and DynamoDB would store as "-0", into 0.
func normalAmount(a *float64) *float64 {
	if a == nil || *a != 0 {
		return a
	}
	zero := 0.0
	return &zero
}

// Optional is a field of a partial update: absent (Set false), null (Null true: remove the value),
// or a value.
type Optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON records that the field was present, and whether it was null.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

// JSONShape tells strictjson that the JSON of the field is null or a T, so that a value of
// another type is refused with the field's name.
func (Optional[T]) JSONShape() any { return (*T)(nil) }

// Patch is the body of a partial update, with JSON merge-patch meaning (RFC 7396): absent fields
// stay, null removes an optional field, a value replaces it.
type Patch struct {
	Amount       Optional[float64] `json:"amount"`
	Currency     Optional[string]  `json:"currency"`
	Description  Optional[string]  `json:"description"`
	IncidentDate Optional[string]  `json:"incidentDate"`
	Status       Optional[Status]  `json:"status"`
}

// Validate reports every rule p breaks, as a *ValidationError.
func (p Patch) Validate() error {
	var v validator
	v.check(p.Amount.Set || p.Currency.Set || p.Description.Set || p.IncidentDate.Set || p.Status.Set,
		"the patch changes nothing: send at least one of amount, currency, description, incidentDate, status")
	if p.Amount.Set && !p.Amount.Null {
		v.amount(p.Amount.Value)
	}
	if p.Currency.Set && !p.Currency.Null {
		v.currency(p.Currency.Value)
	}
	if p.Description.Set && !p.Description.Null {
		v.description(p.Description.Value)
	}
	if p.IncidentDate.Set && !p.IncidentDate.Null {
		v.incidentDate(p.IncidentDate.Value)
	}
	if p.Status.Set {
		v.check(!p.Status.Null && p.Status.Value.Valid(), "status must be one of SUBMITTED, IN_REVIEW, APPROVED, REJECTED, PAID")
	}
	return v.err()
}

// Apply returns the next version of c with p applied at now. p must be valid.
func (p Patch) Apply(c Claim, now time.Time) Claim {
	if p.Amount.Set {
		c.Amount = nil
		if !p.Amount.Null {
			c.Amount = normalAmount(&p.Amount.Value)
		}
	}
	applyString(&c.Currency, p.Currency)
	applyString(&c.Description, p.Description)
	applyString(&c.IncidentDate, p.IncidentDate)
	if p.Status.Set {
		c.Status = p.Status.Value
	}
	c.UpdatedAt = now.UTC().Format(TimeLayout)
	c.Version++
	return c
}

// applyString merges one optional string field; null leaves the zero value, which the JSON
// encoding omits.
func applyString(dst *string, o Optional[string]) {
	if o.Set {
		*dst = o.Value
	}
}

// IdempotencyKey asks a store to create a claim at most once per member and key.
type IdempotencyKey struct {
	Key         string
	Fingerprint string // of the NewClaim; a retry with another body is refused
}

// Errors a claim store reports; the HTTP layer turns each into its 4xx.
var (
	ErrNotFound              = errors.New("claim not found")
	ErrExists                = errors.New("a claim with this ID already exists")
	ErrVersionMismatch       = errors.New("claim version is not the expected one")
	ErrIdempotencyKeyReused  = errors.New("idempotency key already used with another body")
	ErrIdempotencyInProgress = errors.New("a create with this idempotency key is still in progress")
)

// ValidationError lists every rule a request broke.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string { return strings.Join(e.Problems, "; ") }
