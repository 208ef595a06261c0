package directorydata

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestEntries(t *testing.T) {
	entries, err := Entries()
	if err != nil {
		t.Fatalf("employees.json: %v", err)
	}
	if len(entries) < 10 {
		t.Errorf("%d entries, want a directory of at least 10", len(entries))
	}
	for i := 1; i < len(entries); i++ {
		if entries[i-1].EmployeeID >= entries[i].EmployeeID {
			t.Errorf("entries not in ID order at %d: %s, %s", i, entries[i-1].EmployeeID, entries[i].EmployeeID)
		}
	}
}

func TestValidation(t *testing.T) {
	good := Employee{EmployeeID: "E1", Name: "Ada", Role: "Engineer", Department: "R&D", Email: "ada@example.com", Location: "London"}
	if err := good.validate(); err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]Employee{
		"id_with_a_slash":        {EmployeeID: "E/1", Name: "Ada", Role: "R", Department: "D", Email: "a@example.com", Location: "L"},
		"blank_role":             {EmployeeID: "E1", Name: "Ada", Role: " ", Department: "D", Email: "a@example.com", Location: "L"},
		"email_with_a_name_part": {EmployeeID: "E1", Name: "Ada", Role: "R", Department: "D", Email: "Ada <a@example.com>", Location: "L"},
	} {
		if err := e.validate(); err == nil {
			t.Errorf("%s: accepted %+v", name, e)
		}
	}
}

func TestTableItems(t *testing.T) {
	items, err := TableItems()
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := Entries()
	if len(items) != len(entries) {
		t.Fatalf("%d items for %d entries", len(items), len(entries))
	}
	again, _ := TableItems()
	if !reflect.DeepEqual(items, again) {
		t.Error("TableItems changes between calls: every deploy would show a diff")
	}
	for i, raw := range items {
		var item map[string]map[string]string
		if err := json.Unmarshal([]byte(raw), &item); err != nil {
			t.Fatalf("item %d is not DynamoDB JSON: %v", i, err)
		}
		if item["PK"]["S"] != PartitionKey || item["SK"]["S"] != "EMPLOYEE#"+entries[i].EmployeeID {
			t.Errorf("item %d keys %v / %v, want DIRECTORY / EMPLOYEE#%s", i, item["PK"], item["SK"], entries[i].EmployeeID)
		}
		attrs := map[string]string{}
		for k, v := range item {
			if len(v) != 1 || v["S"] == "" {
				t.Errorf("item %d attribute %s = %v, want one non-empty S value", i, k, v)
			}
			attrs[k] = v["S"]
		}
		back, err := FromAttributes(attrs)
		if err != nil || back != entries[i] {
			t.Errorf("item %d reads back as %+v, %v; want %+v", i, back, err, entries[i])
		}
	}
	if !strings.HasPrefix(items[0], `{"PK":{"S":"DIRECTORY"},"SK":`) {
		t.Errorf("item keys are not written in sorted order: %s", items[0])
	}
}

func TestFromAttributesRejectsPartialItems(t *testing.T) {
	if _, err := FromAttributes(map[string]string{"SK": "EMPLOYEE#E1", "employeeId": "E1", "name": "Ada"}); err == nil ||
		!strings.Contains(err.Error(), "EMPLOYEE#E1") {
		t.Errorf("err = %v, want an error naming the item", err)
	}
}
