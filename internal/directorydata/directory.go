// Package directory is the employee directory's data: the entries shipped in employees.json, the
// Employee type and the table layout that holds them (PK = "DIRECTORY", SK = "EMPLOYEE#<id>", so
// listing is one Query and no index is needed). The employees function reads that layout; the
// infrastructure loads the same entries as table items at deploy time through TableItems.
package directorydata

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/example/private-api/internal/ids"
)

//go:embed employees.json
var employeesJSON []byte

// Table key layout of the directory.
const (
	PartitionKey  = "DIRECTORY"
	SortKeyPrefix = "EMPLOYEE#"
)

// SortKey is the SK of the employee with this ID.
func SortKey(employeeID string) string { return SortKeyPrefix + employeeID }

// ErrNotFound is reported for an employee ID the directory does not hold.
var ErrNotFound = errors.New("employee not found")

// Employee is one directory entry, as stored and as returned.
type Employee struct {
	EmployeeID string `json:"employeeId"`
	Name       string `json:"name"`
	Role       string `json:"role"`
	Department string `json:"department"`
	Email      string `json:"email"`
	Location   string `json:"location"`
}

// ValidEmployeeID reports whether id can be an employee ID: 1 to 64 letters, digits, '_' or '-'.
func ValidEmployeeID(id string) bool { return ids.Valid(id) }

// Entries returns the shipped directory sorted by employee ID, the order the table lists it in.
// It fails when the data file breaks a rule, so a bad edit fails the tests and the deploy.
func Entries() ([]Employee, error) {
	dec := json.NewDecoder(bytes.NewReader(employeesJSON))
	dec.DisallowUnknownFields()
	var entries []Employee
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("directory: employees.json: %w", err)
	}
	seen := map[string]bool{}
	for i, e := range entries {
		if err := e.validate(); err != nil {
			return nil, fmt.Errorf("directory: employees.json entry %d: %w", i, err)
		}
		if seen[e.EmployeeID] {
			return nil, fmt.Errorf("directory: employees.json entry %d: employeeId %q appears twice", i, e.EmployeeID)
		}
		seen[e.EmployeeID] = true
	}
	slices.SortFunc(entries, func(a, b Employee) int { return strings.Compare(a.EmployeeID, b.EmployeeID) })
	return entries, nil
}

func (e Employee) validate() error {
	if !ValidEmployeeID(e.EmployeeID) {
		return fmt.Errorf("employeeId %q must be 1 to 64 letters, digits, '_' or '-'", e.EmployeeID)
	}
	for name, v := range map[string]string{"name": e.Name, "role": e.Role, "department": e.Department, "location": e.Location} {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("employee %s: %s is empty", e.EmployeeID, name)
		}
	}
	if a, err := mail.ParseAddress(e.Email); err != nil || a.Address != e.Email {
		return fmt.Errorf("employee %s: email %q is not a plain address", e.EmployeeID, e.Email)
	}
	return nil
}

// Attributes is the table item of e: its keys and every field, all strings, named as in JSON.
func (e Employee) Attributes() map[string]string {
	return map[string]string{
		"PK":         PartitionKey,
		"SK":         SortKey(e.EmployeeID),
		"employeeId": e.EmployeeID,
		"name":       e.Name,
		"role":       e.Role,
		"department": e.Department,
		"email":      e.Email,
		"location":   e.Location,
	}
}

// FromAttributes reads an employee back from the string attributes of its table item.
func FromAttributes(attrs map[string]string) (Employee, error) {
	e := Employee{
		EmployeeID: attrs["employeeId"],
		Name:       attrs["name"],
		Role:       attrs["role"],
		Department: attrs["department"],
		Email:      attrs["email"],
		Location:   attrs["location"],
	}
	if err := e.validate(); err != nil {
		return Employee{}, fmt.Errorf("directory item %s: %w", attrs["SK"], err)
	}
	return e, nil
}

// TableItems returns each entry as a DynamoDB-JSON item ({"PK":{"S":"DIRECTORY"},...}), in ID
// order and with sorted keys, so the same data file always gives the same strings and a deploy
// without a data change shows no diff.
func TableItems() ([]string, error) {
	entries, err := Entries()
	if err != nil {
		return nil, err
	}
	items := make([]string, 0, len(entries))
	for _, e := range entries {
		item := map[string]map[string]string{}
		for k, v := range e.Attributes() {
			item[k] = map[string]string{"S": v}
		}
		// encoding/json writes map keys sorted, which is what makes the output stable.
		b, err := json.Marshal(item)
		if err != nil {
			return nil, fmt.Errorf("directory: encode %s: %w", e.EmployeeID, err)
		}
		items = append(items, string(b))
	}
	return items, nil
}
