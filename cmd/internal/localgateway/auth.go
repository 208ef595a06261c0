package localgateway

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/example/private-api/internal/awsfake"
	"github.com/example/private-api/internal/sigv4client"
)

// identity is the caller that a valid signature proves.
type identity struct {
	accessKey string
	userArn   string
	accountID string
	caller    string
}

// amzDate is the SigV4 timestamp layout of X-Amz-Date.
const amzDate = "20060102T150405Z"

// clockSkew is how far a signature's time may be from the server's: 5 minutes, as the
// "Signature expired: ... (... - 5 min.)" answers show (mhart/aws4#118).
const clockSkew = 5 * time.Minute

// authenticate checks the request's SigV4 signature (AWS_IAM on every method) in the order and
// with the answers API Gateway gives. Bodies as API Gateway returns them, from public reports:
//   - no signature: "Missing Authentication Token" (knowledge center api-gateway-authentication-token-errors)
//   - signed for another service: "Credential should be scoped to correct service: 'execute-api'. "
//     (ex-aws/ex_aws#701, with x-amzn-ErrorType InvalidSignatureException)
//   - signed for another region: "Credential should be scoped to a valid region, not '<region>'. " (aws/aws-sdk-js#792)
//   - too old or too new: "Signature expired: <t> is now earlier than <now-5m> (<now> - 5 min.)" (mhart/aws4#118),
//     "Signature not yet current: <t> is still later than <now+5m> (<now> + 5 min.)" (NickWaterton/Roomba980-Python#118)
//   - unknown access key or session token: "The security token included in the request is invalid."
//     (kndt84/aws-api-gateway-client#31)
//   - wrong secret, or anything signed that changed: "The request signature we calculated does not match the
//     signature you provided. Check your AWS Secret Access Key and signing method. Consult the service
//     documentation for details." (rpgreen/apigateway-generic-java-sdk#11, mhart/aws4#33)
func (g *Gateway) authenticate(r *http.Request, body []byte) (*identity, *gatewayError) {
	header := r.Header.Get("Authorization")
	if header == "" {
		return nil, &missingToken
	}
	scope, ok := parseCredential(header)
	if !ok {
		return nil, &gatewayError{http.StatusForbidden, "IncompleteSignatureException",
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization=" + header}
	}
	if scope.service != sigv4client.Service {
		return nil, invalidSignature(fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", sigv4client.Service))
	}
	if scope.region != g.cfg.Region {
		return nil, invalidSignature(fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. ", scope.region))
	}
	signedAt, err := time.Parse(amzDate, r.Header.Get("X-Amz-Date"))
	if err != nil {
		return nil, &gatewayError{http.StatusForbidden, "IncompleteSignatureException",
			"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + header}
	}
	now := time.Now().UTC()
	switch {
	case signedAt.Before(now.Add(-clockSkew)):
		return nil, invalidSignature(fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 5 min.)",
			signedAt.Format(amzDate), now.Add(-clockSkew).Format(amzDate), now.Format(amzDate)))
	case signedAt.After(now.Add(clockSkew)):
		return nil, invalidSignature(fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 5 min.)",
			signedAt.Format(amzDate), now.Add(clockSkew).Format(amzDate), now.Format(amzDate)))
	}
	creds, err := g.cfg.Credentials.Retrieve(r.Context())
	if err != nil {
		return nil, &internalError
	}
	if scope.accessKey != creds.AccessKeyID || r.Header.Get("X-Amz-Security-Token") != creds.SessionToken {
		return nil, &gatewayError{http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid."}
	}
	if err := awsfake.VerifySignature(r, body, creds, sigv4client.Service, g.cfg.Region); err != nil {
		return nil, invalidSignature("The request signature we calculated does not match the signature you provided. " +
			"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	caller := g.cfg.CallerID
	if caller == "" {
		caller = principalID(g.cfg.CallerArn)
	}
	return &identity{accessKey: creds.AccessKeyID, userArn: g.cfg.CallerArn, accountID: arnAccount(g.cfg.CallerArn), caller: caller}, nil
}

func invalidSignature(message string) *gatewayError {
	return &gatewayError{http.StatusForbidden, "InvalidSignatureException", message}
}

type credentialScope struct {
	accessKey, date, region, service string
}

// parseCredential reads the Credential=AKID/<date>/<region>/<service>/aws4_request part of a
// SigV4 Authorization header.
func parseCredential(header string) (credentialScope, bool) {
	params, ok := strings.CutPrefix(header, "AWS4-HMAC-SHA256 ")
	if !ok {
		return credentialScope{}, false
	}
	for part := range strings.SplitSeq(params, ",") {
		value, ok := strings.CutPrefix(strings.TrimSpace(part), "Credential=")
		if !ok {
			continue
		}
		f := strings.Split(value, "/")
		if len(f) != 5 || f[4] != "aws4_request" {
			return credentialScope{}, false
		}
		return credentialScope{accessKey: f[0], date: f[1], region: f[2], service: f[3]}, true
	}
	return credentialScope{}, false
}

// arnAccount is the account field of an ARN (arn:partition:service:region:account:resource).
func arnAccount(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 {
		return ""
	}
	return f[4]
}

// principalID stands in for the caller's unique ID ($context.identity.caller) when STS was not
// asked: the last part of the principal's ARN ("user/dev" -> "dev", an assumed role's session).
func principalID(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 {
		return ""
	}
	res := f[5]
	return res[strings.LastIndex(res, "/")+1:]
}
