package infra

import (
	"slices"
	"testing"
)

func TestMethodThrottles(t *testing.T) {
	t.Run("none_without_a_reservation", func(t *testing.T) {
		if got := MethodThrottles(Routes, 0, 50, 100); got != nil {
			t.Errorf("got %v, want none", got)
		}
	})
	t.Run("each_function_shares_its_reservation_among_its_methods", func(t *testing.T) {
		got := MethodThrottles(Routes, 50, 200, 400)
		if len(got) != len(Routes) {
			t.Fatalf("%d throttles for %d routes", len(got), len(Routes))
		}
		claims := Route{"GET", "/members/{memberId}/claims/{claimId}", "claims"} // 5 claims routes: 10 each
		whoami := Route{"GET", "/whoami", "whoami"}                              // its only route: all 50
		if got[claims] != (Throttle{Rate: 10, Burst: 10}) || got[whoami] != (Throttle{Rate: 50, Burst: 50}) {
			t.Errorf("claims %v, whoami %v", got[claims], got[whoami])
		}
	})
	t.Run("the_stage_stays_the_ceiling", func(t *testing.T) {
		if got := MethodThrottles(Routes, 50, 5, 3)[Route{"GET", "/whoami", "whoami"}]; got != (Throttle{Rate: 5, Burst: 3}) {
			t.Errorf("got %v, want the stage's 5/s burst 3", got)
		}
	})
}

func TestRouteParams(t *testing.T) {
	if got := (Route{"GET", "/members/{memberId}/claims/{claimId}", "claims"}).Params(); !slices.Equal(got, []string{"memberId", "claimId"}) {
		t.Errorf("got %v", got)
	}
}
