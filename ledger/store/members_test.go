package store_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"runtime/debug"
	"testing"
	"time"

	"github.com/coopledger/coopledger/ledger"
	"github.com/coopledger/coopledger/ledger/store"
	"github.com/coopledger/coopledger/ledger/store/storetest"
)

func s(v string) *string { return &v }

func TestCreateMember_ByAdmin(t *testing.T) {
	c := newCoop(t)
	roles := []ledger.Role{ledger.RoleOps, ledger.RoleBoard}
	m, err := c.db.CreateMember(c.ada, ledger.MemberInput{Name: s(" Dan "), Email: s("Dan@Example.org"),
		Emails: &[]string{"dan@pay.example"}, Roles: &roles, Circles: &[]string{c.tech.ID}})
	if err != nil {
		t.Fatalf("CreateMember: %v", err)
	}
	if m.ID == "" || m.Name != "Dan" || m.Email != "Dan@Example.org" || m.Joined != "2024-06-15" || !m.CreatedAt.Equal(now) {
		t.Errorf("member = %+v; want Dan <Dan@Example.org>, joined today 2024-06-15", m)
	}
	if !reflect.DeepEqual(m.Roles, []ledger.Role{ledger.RoleBoard, ledger.RoleOps}) {
		t.Errorf("roles = %v, want [board ops]", m.Roles)
	}
	got, err := c.db.Member(m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Dan" || got.Email != "Dan@Example.org" || !reflect.DeepEqual(got.Emails, []string{"dan@pay.example"}) ||
		!reflect.DeepEqual(got.Circles, []string{c.tech.ID}) {
		t.Errorf("read back %+v", got)
	}
	for _, addr := range []string{"dan@example.org", "DAN@EXAMPLE.ORG", " Dan@Example.org ", "DAN@pay.example"} {
		byEmail, err := c.db.MemberByEmail(addr)
		if err != nil || byEmail.ID != m.ID {
			t.Errorf("MemberByEmail(%q) = %s, %v; want %s", addr, byEmail.ID, err, m.ID)
		}
	}
	all, err := c.db.Members()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 6 || all[5].ID != m.ID {
		t.Errorf("members = %d, last %s; want 6, last %s", len(all), all[len(all)-1].ID, m.ID)
	}
}

func TestCreateMember_NotAdmin_Forbidden(t *testing.T) {
	c := newCoop(t)
	for _, actor := range []ledger.Member{c.alice, c.bea, c.max} {
		err := refused(t, c.db, func() error {
			_, err := c.db.CreateMember(actor, ledger.MemberInput{Name: s("Eve"), Email: s("eve@example.org")})
			return err
		})
		wantIs(t, err, ledger.ErrForbidden)
	}
}

func TestCreateMember_EmailTaken_IgnoringCase_Refused(t *testing.T) {
	c := newCoop(t)
	if _, err := c.db.UpdateMember(c.ada, c.alice.ID, ledger.MemberInput{Emails: &[]string{"ally@pay.example"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		in    ledger.MemberInput
		field string
	}{
		{name: "primary, other case", in: ledger.MemberInput{Name: s("Al"), Email: s("ALICE@example.ORG")}, field: "email"},
		{name: "primary equal to another's second address", in: ledger.MemberInput{Name: s("Al"), Email: s("Ally@Pay.Example")}, field: "email"},
		{name: "second address equal to another's primary", in: ledger.MemberInput{Name: s("Al"), Email: s("al@example.org"),
			Emails: &[]string{"Bob@Example.org"}}, field: "emails"},
		{name: "second address equal to another's second address", in: ledger.MemberInput{Name: s("Al"), Email: s("al@example.org"),
			Emails: &[]string{"ALLY@pay.example"}}, field: "emails"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := refused(t, c.db, func() error { _, err := c.db.CreateMember(c.ada, tc.in); return err })
			wantField(t, err, tc.field)
		})
	}
}

func TestCreateMember_Invalid_Refused(t *testing.T) {
	c := newCoop(t)
	tests := []struct {
		name  string
		in    ledger.MemberInput
		field string
	}{
		{name: "no name", in: ledger.MemberInput{Email: s("x@example.org")}, field: "name"},
		{name: "bad email", in: ledger.MemberInput{Name: s("X"), Email: s("x at example")}, field: "email"},
		{name: "unknown circle", in: ledger.MemberInput{Name: s("X"), Email: s("x@example.org"), Circles: &[]string{"c999999"}}, field: "circles"},
		{name: "left before joined", in: ledger.MemberInput{Name: s("X"), Email: s("x@example.org"), Joined: s("2022-01-01"), Left: s("2021-12-31")}, field: "left"},
		{name: "left before the default join date, today", in: ledger.MemberInput{Name: s("X"), Email: s("x@example.org"), Left: s("2024-06-14")}, field: "left"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := refused(t, c.db, func() error { _, err := c.db.CreateMember(c.ada, tc.in); return err })
			wantField(t, err, tc.field)
		})
	}
}

// A member renames themselves; addresses are the admin's, since single
// sign-on links accounts by address.
func TestUpdateMember_Self_NameOnly(t *testing.T) {
	c := newCoop(t)
	m, err := c.db.UpdateMember(c.max, c.max.ID, ledger.MemberInput{Name: s("Maxine")})
	if err != nil {
		t.Fatalf("own name: %v", err)
	}
	if m.Name != "Maxine" || m.Email != "max@example.org" {
		t.Errorf("member = %+v", m)
	}
	roles := []ledger.Role{ledger.RoleBoard}
	for _, in := range []ledger.MemberInput{
		{Emails: &[]string{"maxine@home.example"}},
		{Roles: &roles},
		{Email: s("max2@example.org")},
		{Left: s("2024-06-01")},
		{Classes: &[]ledger.Class{ledger.ClassOps}},
	} {
		err := refused(t, c.db, func() error { _, err := c.db.UpdateMember(c.max, c.max.ID, in); return err })
		wantIs(t, err, ledger.ErrForbidden)
	}
	err = refused(t, c.db, func() error {
		_, err := c.db.UpdateMember(c.alice, c.max.ID, ledger.MemberInput{Name: s("X")})
		return err
	})
	wantIs(t, err, ledger.ErrForbidden)
}

func TestUpdateMember_ChangedEmail_FreesOldAddress(t *testing.T) {
	c := newCoop(t)
	if _, err := c.db.UpdateMember(c.ada, c.alice.ID, ledger.MemberInput{Email: s("alice@new.example")}); err != nil {
		t.Fatalf("UpdateMember: %v", err)
	}
	_, err := c.db.MemberByEmail("alice@example.org")
	wantIs(t, err, ledger.ErrNotFound)
	if got, err := c.db.MemberByEmail("alice@new.example"); err != nil || got.ID != c.alice.ID {
		t.Errorf("new address finds %s, %v", got.ID, err)
	}
	// The freed address may go to someone else; a taken one may not.
	if _, err := c.db.CreateMember(c.ada, ledger.MemberInput{Name: s("Alicia"), Email: s("Alice@Example.org")}); err != nil {
		t.Errorf("reuse a freed address: %v", err)
	}
	err = refused(t, c.db, func() error {
		_, err := c.db.UpdateMember(c.ada, c.bob.ID, ledger.MemberInput{Email: s("ALICE@new.example")})
		return err
	})
	wantField(t, err, "email")
	// Keeping one's own address is not a clash.
	if _, err := c.db.UpdateMember(c.ada, c.bob.ID, ledger.MemberInput{Email: s("BOB@example.org")}); err != nil {
		t.Errorf("re-case own address: %v", err)
	}
}

func TestUpdateMember_OwnAdminRole_CannotBeRemoved(t *testing.T) {
	c := newCoop(t)
	roles := []ledger.Role{ledger.RoleOps}
	err := refused(t, c.db, func() error {
		_, err := c.db.UpdateMember(c.ada, c.ada.ID, ledger.MemberInput{Roles: &roles})
		return err
	})
	wantField(t, err, "roles")
}

func TestMember_NotFound(t *testing.T) {
	c := newCoop(t)
	for _, id := range []string{"m999999", "", "bogus", c.tech.ID, "m1", "m0000001"} {
		_, err := c.db.Member(id)
		wantIs(t, err, ledger.ErrNotFound)
	}
	_, err := c.db.MemberByEmail("nobody@example.org")
	wantIs(t, err, ledger.ErrNotFound)
	err = refused(t, c.db, func() error {
		_, err := c.db.UpdateMember(c.ada, "m999999", ledger.MemberInput{Name: s("X")})
		return err
	})
	wantIs(t, err, ledger.ErrNotFound)
}

func TestCreateCircle_NotAdmin_Forbidden(t *testing.T) {
	c := newCoop(t)
	for _, actor := range []ledger.Member{c.alice, c.bea, c.max} {
		err := refused(t, c.db, func() error {
			_, err := c.db.CreateCircle(actor, ledger.CircleInput{Name: "Marketing"})
			return err
		})
		wantIs(t, err, ledger.ErrForbidden)
	}
	if _, err := c.db.CreateCircle(c.ada, ledger.CircleInput{Name: "Marketing"}); err != nil {
		t.Errorf("admin creates a circle: %v", err)
	}
}

func TestCreateCircle_NameTaken_IgnoringCase_Refused(t *testing.T) {
	c := newCoop(t)
	for _, name := range []string{"Tech", "tech", " TECH ", "OPERATIONS"} {
		err := refused(t, c.db, func() error {
			_, err := c.db.CreateCircle(c.ada, ledger.CircleInput{Name: name})
			return err
		})
		wantField(t, err, "name")
	}
	err := refused(t, c.db, func() error { _, err := c.db.CreateCircle(c.ada, ledger.CircleInput{Name: " "}); return err })
	wantField(t, err, "name")

	db := storetest.OpenDB(t, now)
	storetest.MustCircle(t, db, "Tech")
	circles, err := db.Circles()
	if err != nil || len(circles) != 1 || circles[0].Name != "Tech" {
		t.Errorf("circles = %+v, %v; want just Tech", circles, err)
	}
	err = db.View(func(tx *store.Tx) error {
		got, err := tx.CircleByName(" tECH")
		if err != nil || got.ID != circles[0].ID {
			t.Errorf("CircleByName = %+v, %v", got, err)
		}
		_, err = tx.CircleByName("Ops")
		wantIs(t, err, ledger.ErrNotFound)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// See TestLogTime_UnknownCompensation_Refused: the same hole for roles and
// classes makes one bad member break Members() for everyone.
func TestCreateMember_UnknownRoleOrClass_Refused(t *testing.T) {
	c := newCoop(t)
	roles := []ledger.Role{"root"}
	classes := []ledger.Class{"vip"}
	for _, in := range []ledger.MemberInput{
		{Name: s("R"), Email: s("r@example.org"), Roles: &roles},
		{Name: s("R"), Email: s("r@example.org"), Classes: &classes},
	} {
		err := refused(t, c.db, func() error { _, err := c.db.CreateMember(c.ada, in); return err })
		var ve *ledger.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("error = %v, want a *ledger.ValidationError", err)
		}
	}
	if _, err := c.db.Members(); err != nil {
		t.Errorf("Members after the refusals: %v", err)
	}
}

// The store keeps decoded members in a cache of at most 50,000 records.
// Past that size Tx.Member neither caches the member it decoded nor
// returns it: it calls itself again, forever, and the stack overflow kills
// the whole process (a fatal error no HTTP recover middleware catches). A
// platform co-op's user class can pass 50,000 members. The failure is
// fatal, so the test runs the reads in a child process.
func TestMember_MoreThan50000Members_StillRead(t *testing.T) {
	const members = 50_001
	if os.Getenv("COOPLEDGER_TEST_CACHE_CHILD") != "1" {
		if testing.Short() {
			t.Skip("creates 50,001 members")
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestMember_MoreThan50000Members_StillRead$", "-test.count=1")
		cmd.Env = append(os.Environ(), "COOPLEDGER_TEST_CACHE_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			if len(out) > 2000 {
				out = out[:2000]
			}
			t.Fatalf("reading %d members: %v\n%s", members, err, out)
		}
		return
	}
	// In the child: fail fast on runaway recursion instead of growing a
	// 1 GB stack.
	debug.SetMaxStack(64 << 20)
	db := storetest.OpenDB(t, now)
	ids := make([]string, 0, members)
	err := db.Update(func(tx *store.Tx) error {
		for i := range members {
			name, email := fmt.Sprintf("User %d", i), fmt.Sprintf("user%d@example.org", i)
			m, err := tx.CreateMember(ledger.System, ledger.MemberInput{Name: &name, Email: &email})
			if err != nil {
				return err
			}
			ids = append(ids, m.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i, id := range ids {
		m, err := db.Member(id)
		if err != nil || m.ID != id || m.Name != fmt.Sprintf("User %d", i) {
			t.Fatalf("member %s = %+v, %v", id, m, err)
		}
	}
	t.Logf("read %d members in %v", members, time.Since(start))
}
