package dynamo

import (
	"context"
	"errors"
	"testing"

	"github.com/example/private-api/internal/directorydata"
)

func TestDirectoryStore(t *testing.T) {
	ctx := context.Background()
	s := New(client, testTable)
	if err := s.SeedDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	want, err := directorydata.Entries()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("pages_cover_the_directory_in_id_order", func(t *testing.T) {
		var got []directorydata.Employee
		after := ""
		for pages := 1; ; pages++ {
			page, more, err := s.ListEmployees(ctx, 3, after)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page...)
			if !more {
				break
			}
			if pages > len(want) {
				t.Fatal("pagination does not end")
			}
			after = page[len(page)-1].EmployeeID
		}
		if len(got) != len(want) {
			t.Fatalf("listed %d employees, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
			}
		}
	})

	t.Run("get", func(t *testing.T) {
		e, err := s.GetEmployee(ctx, want[3].EmployeeID)
		if err != nil || e != want[3] {
			t.Errorf("GetEmployee = %+v, %v; want %+v", e, err, want[3])
		}
		if _, err := s.GetEmployee(ctx, "E0000"); !errors.Is(err, directorydata.ErrNotFound) {
			t.Errorf("unknown employee: err = %v, want ErrNotFound", err)
		}
	})
}
