// Package pagetoken makes the nextToken of the list routes: short, opaque, and accepted only by
// the list that issued it. A token is, in unpadded base64url,
//
//	version (1 byte) | cursor | MAC (16 bytes)
//	MAC = HMAC-SHA256(key of version, version | scope | 0x00 | cursor), first 16 bytes
//
// where the cursor is the key of the last item of the page and the scope names the list (route
// and, for a member's list, the member). A token from another list, another member, with another
// cursor, or made up, fails the MAC. 16 bytes of MAC leave a forger one chance in 2^128.
//
// Keys are 32 random bytes kept by a KeySource (the table, for the functions: see
// dynamo.Store.PageKey), made on the first need and cached for the life of the process.
// Rotation: raise CurrentVersion and deploy; new tokens use the new key, which is made on its
// first use, and tokens of older versions keep working while their key exists. Delete the old
// key's item to make its tokens invalid (clients then start again from the first page;
// containers that already hold the key in memory accept them until they are recycled).
package pagetoken

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sync/atomic"
)

// CurrentVersion is the key version new tokens are made with.
const CurrentVersion byte = 1

// KeySize is the length of a key: the SHA-256 output length, the least RFC 2104 §3 recommends.
const KeySize = 32

const macSize = 16

// ErrNoKey is what a KeySource returns for a version it holds no key of and was not asked to make.
var ErrNoKey = errors.New("pagetoken: no key of this version")

// ErrInvalid is a token this codec did not make for this scope.
var ErrInvalid = errors.New("pagetoken: not a token of this list")

// KeySource keeps the keys, one per version.
type KeySource interface {
	// PageKey returns the KeySize-byte key of version. When there is none, it makes one if
	// create is set (two processes racing must end up with the same key), else returns ErrNoKey.
	PageKey(ctx context.Context, version byte, create bool) ([]byte, error)
}

// Codec seals and opens tokens with the keys of a KeySource.
type Codec struct {
	source KeySource
	keys   [CurrentVersion + 1]atomic.Pointer[[]byte] // by version; index 0 unused
}

// New returns a codec over source. It reads no key until a token is sealed or opened, so a
// cold start pays nothing for it.
func New(source KeySource) *Codec { return &Codec{source: source} }

// Seal makes the token of cursor in scope. A scope names one list, such as a route and a
// member ID, and holds no NUL byte.
func (c *Codec) Seal(ctx context.Context, scope string, cursor []byte) (string, error) {
	key, err := c.key(ctx, CurrentVersion)
	if err != nil {
		return "", err
	}
	buf := make([]byte, 0, 1+len(cursor)+macSize)
	buf = append(buf, CurrentVersion)
	buf = append(buf, cursor...)
	buf = append(buf, mac(key, CurrentVersion, scope, cursor)...)
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// Open returns the cursor of a token Seal made in scope, ErrInvalid for any other text, or the
// KeySource's failure.
func (c *Codec) Open(ctx context.Context, scope, token string) ([]byte, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	// Strict decoding refuses non-zero padding bits, so each token has exactly one spelling.
	if err != nil || len(b) < 1+macSize {
		return nil, ErrInvalid
	}
	version, cursor, sum := b[0], b[1:len(b)-macSize], b[len(b)-macSize:]
	if version == 0 || version > CurrentVersion {
		return nil, ErrInvalid
	}
	key, err := c.key(ctx, version)
	if errors.Is(err, ErrNoKey) {
		return nil, ErrInvalid
	}
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(sum, mac(key, version, scope, cursor)) {
		return nil, ErrInvalid
	}
	return cursor, nil
}

// key returns the key of version from the cache, loading it on first use. Only the current
// version is made when missing: a token of an older version whose key is gone is invalid.
func (c *Codec) key(ctx context.Context, version byte) ([]byte, error) {
	if k := c.keys[version].Load(); k != nil {
		return *k, nil
	}
	k, err := c.source.PageKey(ctx, version, version == CurrentVersion)
	if err != nil {
		return nil, fmt.Errorf("page token key v%d: %w", version, err)
	}
	if len(k) != KeySize {
		return nil, fmt.Errorf("page token key v%d has %d bytes, want %d", version, len(k), KeySize)
	}
	c.keys[version].Store(&k)
	return k, nil
}

func mac(key []byte, version byte, scope string, cursor []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte{version})
	h.Write([]byte(scope))
	h.Write([]byte{0}) // scopes hold no NUL, so scope and cursor cannot be shifted into each other
	h.Write(cursor)
	return h.Sum(nil)[:macSize]
}
