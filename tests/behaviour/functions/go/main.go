// Test functions for Go on provided.al2023: one binary, built by `workbench build` (BuildMethod go1.x) with
// the real github.com/aws/aws-lambda-go; the handler it starts is chosen by the function's Handler setting.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

var calls = 0
var initPid = os.Getpid()

type Request struct {
	Name  string  `json:"name"`
	Sleep float64 `json:"sleep"`
}

type Reply struct {
	Greeting     string `json:"greeting"`
	Calls        int    `json:"calls"`
	Pid          int    `json:"pid"`
	InitPid      int    `json:"initPid"`
	RequestID    string `json:"requestId"`
	FunctionArn  string `json:"functionArn"`
	FunctionName string `json:"functionName"`
	Memory       int    `json:"memory"`
	LogGroup     string `json:"logGroup"`
	RemainingMs  int64  `json:"remainingMs"`
}

func greet(ctx context.Context, request Request) (Reply, error) {
	calls++
	log.Printf("greeting %s", request.Name)
	fmt.Println("plain output")
	time.Sleep(time.Duration(request.Sleep * float64(time.Second)))
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	return Reply{Greeting: "hello " + request.Name, Calls: calls, Pid: os.Getpid(), InitPid: initPid,
		RequestID: lc.AwsRequestID, FunctionArn: lc.InvokedFunctionArn, FunctionName: lambdacontext.FunctionName,
		Memory: lambdacontext.MemoryLimitInMB, LogGroup: lambdacontext.LogGroupName,
		RemainingMs: time.Until(deadline).Milliseconds()}, nil
}

func countMessages(ctx context.Context, event events.SQSEvent) (string, error) {
	return fmt.Sprintf("%d:%s:%s", len(event.Records), event.Records[0].Body, event.Records[0].EventSourceARN), nil
}

func fail(ctx context.Context, request Request) (string, error) {
	return "", errors.New("go went wrong")
}

func main() {
	switch os.Getenv("_HANDLER") {
	case "sqs":
		lambda.Start(countMessages)
	case "fail":
		lambda.Start(fail)
	default:
		lambda.Start(greet)
	}
}
