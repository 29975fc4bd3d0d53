// The AWS SDK warns once per process that Node 20 support ends in 2027; the Lambda runs nodejs22.x and
// these machines have Node 20, so the warning would only bury the test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
