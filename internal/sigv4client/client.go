// Package sigv4client calls API Gateway REST APIs with SigV4 signatures (service execute-api), signing
// for the host actually sent (internal/executeapi reads what a host name says about the API).
package sigv4client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Service is the signing name of API Gateway's invoke side (not "apigateway", the management API).
const Service = "execute-api"

// Client signs every request for Service in Region and sends it. It never follows redirects: a
// redirected request would go out with a signature made for another URL.
type Client struct {
	Credentials aws.CredentialsProvider
	Region      string
	HTTP        *http.Client
}

// New returns a Client whose HTTP client uses transport (nil for the default) and does not follow redirects.
func New(creds aws.CredentialsProvider, region string, transport http.RoundTripper) *Client {
	return &Client{
		Credentials: creds,
		Region:      region,
		HTTP: &http.Client{
			Transport:     transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Do signs req with body as its payload (the payload hash is over these bytes) and sends it. The
// signature covers the host the request is sent with, req.Host if set, else the URL's.
func (c *Client) Do(ctx context.Context, req *http.Request, body []byte) (*http.Response, error) {
	creds, err := c.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("get AWS credentials: %w", err)
	}
	req = req.WithContext(ctx)
	req.ContentLength = int64(len(body))
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if len(body) == 0 {
		req.Body, req.GetBody = http.NoBody, nil
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), Service, c.Region, time.Now()); err != nil {
		return nil, fmt.Errorf("sign request: %w", err)
	}
	return c.HTTP.Do(req)
}

// DialTo returns a transport that opens every connection to addr (host:port) instead of the URL's
// host, like curl --connect-to, and directly (no proxy). Nothing else changes: the Host header, the
// TLS server name that the certificate is checked against, and so the signature, are still the URL's.
func DialTo(addr string) *http.Transport {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	transport.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, addr)
	}
	return transport
}
