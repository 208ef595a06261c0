// Package sariftest checks SARIF logs against the OASIS SARIF 2.1.0 JSON schema (committed beside
// it, with its source in SOURCE.md), for the tests of every package that writes SARIF. Only tests
// import it, so no binary links the validator.
package sariftest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

//go:embed sarif-schema-2.1.0.json
var schema []byte

// Validate returns why doc is not a valid SARIF 2.1.0 log, or nil.
func Validate(doc []byte) error {
	const name = "sarif-schema-2.1.0.json"
	c := jsonschema.NewCompiler()
	if err := c.AddResource(name, bytes.NewReader(schema)); err != nil {
		return err
	}
	s, err := c.Compile(name)
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("not valid SARIF 2.1.0: %#v", err)
	}
	return nil
}
