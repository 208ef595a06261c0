package pagetoken

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"testing"
)

// keys is a KeySource in memory that counts its calls.
type keys struct {
	byVersion map[byte][]byte
	calls     int
	err       error
}

func (k *keys) PageKey(_ context.Context, version byte, create bool) ([]byte, error) {
	k.calls++
	if k.err != nil {
		return nil, k.err
	}
	if key, ok := k.byVersion[version]; ok {
		return key, nil
	}
	if !create {
		return nil, ErrNoKey
	}
	key := bytes.Repeat([]byte{version}, KeySize)
	k.byVersion[version] = key
	return key, nil
}

const scope = "GET /members/{memberId}/claims m-1"

func TestCodec(t *testing.T) {
	ctx := context.Background()
	cursor := []byte{0x01, 0x95, 0x50, 0x3a, 0x0c, 0x2f, 0x7a, 0x1e, 0x8b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x92}
	source := &keys{byVersion: map[byte][]byte{}}
	c := New(source)
	if source.calls != 0 {
		t.Fatal("New read a key: the cold start would pay for it")
	}
	token, err := c.Seal(ctx, scope, cursor)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("opens_what_it_sealed_and_keeps_the_key", func(t *testing.T) {
		got, err := c.Open(ctx, scope, token)
		if err != nil || !bytes.Equal(got, cursor) {
			t.Fatalf("Open = %x, %v; want %x", got, err, cursor)
		}
		if source.calls != 1 {
			t.Errorf("the key was read %d times, want once", source.calls)
		}
		if len(token) > 48 {
			t.Errorf("token %q has %d characters: a UUID cursor should fit in 48", token, len(token))
		}
	})

	raw, _ := base64.RawURLEncoding.DecodeString(token)
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	otherKey := New(&keys{byVersion: map[byte][]byte{CurrentVersion: bytes.Repeat([]byte{9}, KeySize)}})
	forged, _ := otherKey.Seal(ctx, scope, cursor)
	for name, tc := range map[string]struct{ scope, token string }{
		"another_scope":        {"GET /members/{memberId}/claims m-2", token},
		"another_route":        {"GET /employees", token},
		"a_changed_cursor":     {scope, flip(3)},
		"a_changed_mac":        {scope, flip(len(raw) - 1)},
		"another_version":      {scope, flip(0)},
		"another_key":          {scope, forged},
		"a_truncated_token":    {scope, token[:len(token)-2]},
		"padding_added":        {scope, token + "="},
		"the_bare_cursor":      {scope, base64.RawURLEncoding.EncodeToString(cursor)},
		"an_empty_token":       {scope, ""},
		"text_that_is_not_b64": {scope, "!!"},
		"version_zero":         {scope, base64.RawURLEncoding.EncodeToString(append([]byte{0}, raw[1:]...))},
	} {
		t.Run("refuses_"+name, func(t *testing.T) {
			if got, err := c.Open(ctx, tc.scope, tc.token); !errors.Is(err, ErrInvalid) {
				t.Errorf("Open(%q) = %x, %v; want ErrInvalid", tc.token, got, err)
			}
		})
	}

	t.Run("a_token_with_a_changed_last_base64_character_is_refused", func(t *testing.T) {
		// The last character of an unpadded token carries spare bits; changing only them
		// must not give a second spelling of the same token.
		last := token[len(token)-1]
		for _, ch := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
			if ch == last {
				continue
			}
			if _, err := c.Open(ctx, scope, token[:len(token)-1]+string(ch)); err == nil {
				t.Errorf("token ending in %q was accepted", ch)
			}
		}
	})

	t.Run("an_old_version_without_a_key_is_refused_without_making_one", func(t *testing.T) {
		src := &keys{byVersion: map[byte][]byte{}}
		if _, err := New(src).key(ctx, 0); err == nil {
			t.Error("version 0 has a key")
		}
		if len(src.byVersion) != 0 {
			t.Error("a key was made for a version that is not the current one")
		}
	})

	t.Run("a_failing_key_source_is_a_failure_not_a_bad_token", func(t *testing.T) {
		broken := New(&keys{err: errors.New("throttled")})
		if _, err := broken.Open(ctx, scope, token); err == nil || errors.Is(err, ErrInvalid) {
			t.Errorf("Open: %v, want the source's error", err)
		}
		if _, err := broken.Seal(ctx, scope, cursor); err == nil {
			t.Error("Seal without a key succeeded")
		}
	})

	t.Run("a_key_of_the_wrong_length_is_refused", func(t *testing.T) {
		short := New(&keys{byVersion: map[byte][]byte{CurrentVersion: []byte("short")}})
		if _, err := short.Seal(ctx, scope, cursor); err == nil {
			t.Error("sealed with a 5-byte key")
		}
	})
}
