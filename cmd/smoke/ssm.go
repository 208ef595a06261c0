package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// commandAPI is the part of SSM the smoke test uses; *ssm.Client has it.
type commandAPI interface {
	SendCommand(context.Context, *ssm.SendCommandInput, ...func(*ssm.Options)) (*ssm.SendCommandOutput, error)
	GetCommandInvocation(context.Context, *ssm.GetCommandInvocationInput, ...func(*ssm.Options)) (*ssm.GetCommandInvocationOutput, error)
	DescribeInstanceInformation(context.Context, *ssm.DescribeInstanceInformationInput, ...func(*ssm.Options)) (*ssm.DescribeInstanceInformationOutput, error)
}

// waitOnline waits until the instance's SSM agent reports Online. On a fresh stack the agent
// registers a few minutes after the instance starts; commands sent before then fail.
func (r runCommand) waitOnline(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	status := "not registered with Systems Manager"
	for {
		out, err := r.client.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{
			Filters: []types.InstanceInformationStringFilter{{Key: aws.String("InstanceIds"), Values: []string{r.instanceID}}},
		})
		switch {
		case err == nil && len(out.InstanceInformationList) > 0:
			if s := out.InstanceInformationList[0].PingStatus; s == types.PingStatusOnline {
				return nil
			} else {
				status = "SSM ping status " + string(s)
			}
		case err != nil && ctx.Err() == nil:
			return fmt.Errorf("ask SSM about instance %s: %w", r.instanceID, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("instance %s is not Online in Systems Manager after %s (%s): a new instance's agent registers a few minutes after `pulumi up`; "+
				"check it under Systems Manager > Fleet Manager and run again, or raise -online-timeout", r.instanceID, limit, status)
		case <-time.After(r.poll):
		}
	}
}

// runCommand runs shell scripts on one instance with SSM Run Command.
type runCommand struct {
	client     commandAPI
	instanceID string
	poll       time.Duration
}

// scriptTimeout bounds one script on the instance; every script's own calls time out sooner.
const scriptTimeout = "60"

func (r runCommand) send(ctx context.Context, comment, script string) (string, error) {
	out, err := r.client.SendCommand(ctx, &ssm.SendCommandInput{
		DocumentName: aws.String("AWS-RunShellScript"),
		InstanceIds:  []string{r.instanceID},
		Comment:      aws.String(comment),
		Parameters: map[string][]string{
			"commands":         strings.Split(script, "\n"),
			"executionTimeout": {scriptTimeout},
		},
	})
	var badInstance *types.InvalidInstanceId
	if errors.As(err, &badInstance) {
		return "", fmt.Errorf("instance %s cannot take commands (%w): it is not running, or its SSM agent has not registered yet; "+
			"a few minutes after `pulumi up` it should be Online under Systems Manager > Fleet Manager", r.instanceID, err)
	}
	if err != nil {
		return "", fmt.Errorf("send command to %s: %w", r.instanceID, err)
	}
	return aws.ToString(out.Command.CommandId), nil
}

// wait polls the invocation until it ends. Right after SendCommand, SSM may not know the
// invocation yet (InvocationDoesNotExist): that is waited out too.
func (r runCommand) wait(ctx context.Context, commandID string) (output, error) {
	last := "not yet registered"
	for {
		out, err := r.client.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{
			CommandId:  aws.String(commandID),
			InstanceId: aws.String(r.instanceID),
		})
		var notYet *types.InvocationDoesNotExist
		switch {
		case errors.As(err, &notYet):
		case err != nil && ctx.Err() == nil:
			return output{}, fmt.Errorf("command %s: %w", commandID, err)
		case err != nil: // out of time: said below
		default:
			switch out.Status {
			case types.CommandInvocationStatusSuccess, types.CommandInvocationStatusFailed,
				types.CommandInvocationStatusCancelled, types.CommandInvocationStatusTimedOut:
				return output{
					status: string(out.Status),
					stdout: aws.ToString(out.StandardOutputContent),
					stderr: aws.ToString(out.StandardErrorContent),
				}, nil
			}
			last = string(out.Status)
		}
		select {
		case <-ctx.Done():
			return output{}, fmt.Errorf("command %s still %s: %w (raise -timeout)", commandID, last, ctx.Err())
		case <-time.After(r.poll):
		}
	}
}
