# Least-privilege roles: the seed's three (registration, provisioning, Step Functions) and a
# fourth, read-only one for the status checker, which the seed folds into provisioning but which
# needs none of its write access.
#
# Every ARN below is built from names known at plan time (not read from the resources), so the
# plan shows each policy in full and terraform/tests/policy_check.py can audit it before apply.
# Resource "*" appears only where AWS supports no resource-level permission for the action; each
# such statement says why, and tests/policy_exceptions.json lists exactly those actions.

locals {
  arn_prefix = "arn:${local.partition}"

  tenants_table_arn       = "${local.arn_prefix}:dynamodb:${local.region}:${local.account_id}:table/${var.tenants_table_name}"
  registrations_table_arn = "${local.arn_prefix}:dynamodb:${local.region}:${local.account_id}:table/${var.registrations_table_name}"

  function_arns = {
    for key, name in local.function_names :
    key => "${local.arn_prefix}:lambda:${local.region}:${local.account_id}:function:${name}"
  }
  lambda_log_group_arns = {
    for key, name in local.function_names :
    key => "${local.arn_prefix}:logs:${local.region}:${local.account_id}:log-group:/aws/lambda/${name}:*"
  }

  task_role_arns = [
    for name in module.tenant_provisioning.role_names :
    "${local.arn_prefix}:iam::${local.account_id}:role/${name}"
  ]
  # Route53 normalises record names to lowercase without the trailing dot for its conditions.
  tenant_domain = lower(trimsuffix(var.domain_name, "."))
  reserved_subdomains = [
    for line in split("\n", file("${path.module}/../lambdas/tenant-core/reserved-subdomains.txt")) :
    trimspace(split("#", line)[0]) if trimspace(split("#", line)[0]) != ""
  ]
  ecs_services_arn = "${local.arn_prefix}:ecs:${local.region}:${local.account_id}:service/${var.ecs_cluster_name}/*"
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

# What every Lambda needs to run: its own log group, X-Ray, and network interfaces in the VPC.
data "aws_iam_policy_document" "lambda_runtime" {
  for_each = local.function_names

  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [local.lambda_log_group_arns[each.key]]
  }

  statement {
    sid = "XRayTraces"
    # X-Ray's trace and telemetry uploads support no resource-level permissions: "*" is required.
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  statement {
    sid = "VpcNetworkInterfaces"
    # Lambda manages the function's ENIs with these calls. The Lambda developer guide
    # (configuration-vpc) says ec2:DescribeNetworkInterfaces works only on "*", and that a
    # DeleteNetworkInterface scoped to other than the ENI's own id (unknown in advance) cuts the
    # function off its VPC; the ENI ids are created by Lambda, so "*" it is, as in the
    # AWSLambdaVPCAccessExecutionRole managed policy (v3), whose ec2 actions these are.
    actions = [
      "ec2:CreateNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSubnets",
      "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses",
    ]
    resources = ["*"]
  }
}

# ---------------------------------------------------------------------------------------------
# tenant-registration: Cognito user, registration and tenant records, start the workflow.

resource "aws_iam_role" "registration" {
  name               = "tenant-registration-role"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "registration" {
  source_policy_documents = [data.aws_iam_policy_document.lambda_runtime["registration"].json]

  statement {
    sid = "CognitoUsers"
    # AdminGetUser first: an e-mail whose user belongs to another tenant (custom:tenant_id) is
    # refused before anything is written.
    actions   = ["cognito-idp:AdminCreateUser", "cognito-idp:AdminGetUser"]
    resources = [local.cognito_pool_arn]
  }

  statement {
    sid = "TenantAndRegistrationRecords"
    # One transaction puts the subdomain claim, the tenant and the registration (each Put is
    # authorised as PutItem); the execution ARN is stored with UpdateItem afterwards.
    actions = [
      "dynamodb:ConditionCheckItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
    ]
    resources = [local.tenants_table_arn, local.registrations_table_arn]
  }

  statement {
    sid       = "StartProvisioning"
    actions   = ["states:StartExecution"]
    resources = [local.state_machine_arn]
  }
}

resource "aws_iam_role_policy" "registration" {
  name   = "tenant-registration"
  role   = aws_iam_role.registration.id
  policy = data.aws_iam_policy_document.registration.json
}

# ---------------------------------------------------------------------------------------------
# tenant-provisioning: ECS task definitions and services, target groups, listener rules, DNS,
# tenant records; and their removal (rollback of a failed provisioning, deprovisioning), each
# delete scoped as tightly as the create it undoes. The Lambda reaches PostgreSQL through the VPC
# (security group egress on 5432) with the master user's credentials, read from the master secret;
# each tenant's login goes into its own secret under tenants/.

resource "aws_iam_role" "provisioning" {
  name               = "tenant-provisioning-role"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "provisioning" {
  source_policy_documents = [data.aws_iam_policy_document.lambda_runtime["provisioning"].json]

  statement {
    sid = "TenantRecords"
    # Reads the tenant, records each step and result, and allocates listener priorities from an
    # atomic counter item, all with GetItem / UpdateItem; teardown deletes the tenant's
    # subdomain claim item (DeleteItem, conditional on the owner).
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    resources = [local.tenants_table_arn]
  }

  statement {
    sid = "TaskDefinitions"
    # ECS task-definition list/register/deregister support no resource-level permissions: AWS
    # requires "*" (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html).
    # create_task_definition lists the family before registering (idempotency) and deregisters
    # the extra revision when two racing first runs both registered.
    actions   = ["ecs:ListTaskDefinitions", "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition"]
    resources = ["*"]
  }

  statement {
    sid = "TenantServices"
    # Describe before create: a second CreateService would replace the service. Teardown
    # deletes the tenant services (force: ECS stops their tasks).
    actions   = ["ecs:CreateService", "ecs:DescribeServices", "ecs:DeleteService"]
    resources = [local.ecs_services_arn]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [local.cluster_arn]
    }
  }

  statement {
    sid = "TagOnCreate"
    # Since 2024 ECS authorises the tags passed to RegisterTaskDefinition and CreateService as
    # ecs:TagResource; allowed only as part of those two calls.
    actions = ["ecs:TagResource"]
    resources = [
      "${local.arn_prefix}:ecs:${local.region}:${local.account_id}:task-definition/*",
      local.ecs_services_arn,
    ]
    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RegisterTaskDefinition", "CreateService"]
    }
  }

  statement {
    sid     = "PassTaskRolesOnly"
    actions = ["iam:PassRole"]
    # Only the tenants' two task roles, and only to ECS tasks.
    resources = local.task_role_arns
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid = "TenantTargetGroups"
    # Target group names are chosen per tenant at run time, so the scope is this account's
    # target groups in this region.
    actions   = ["elasticloadbalancing:CreateTargetGroup"]
    resources = ["${local.arn_prefix}:elasticloadbalancing:${local.region}:${local.account_id}:targetgroup/*/*"]
  }

  statement {
    sid = "TenantListenerRules"
    # CreateRule is authorised on the listener and on the new rule under it.
    actions   = ["elasticloadbalancing:CreateRule"]
    resources = [local.listener_arn, local.listener_rules_arn]
  }

  statement {
    sid = "RemoveTenantTargetGroups"
    # Teardown deletes only target groups named like a tenant's (tnt-<subdomain>-be|fe).
    actions   = ["elasticloadbalancing:DeleteTargetGroup"]
    resources = ["${local.arn_prefix}:elasticloadbalancing:${local.region}:${local.account_id}:targetgroup/tnt-*/*"]
  }

  statement {
    sid = "RemoveTenantListenerRules"
    # Teardown deletes the tenant's host-header rules: rules of the tenants' listener only.
    actions   = ["elasticloadbalancing:DeleteRule"]
    resources = [local.listener_rules_arn]
  }

  statement {
    sid = "TagOnCreateLoadBalancing"
    # Tags passed to CreateTargetGroup / CreateRule are authorised as AddTags; only then.
    actions = ["elasticloadbalancing:AddTags"]
    resources = [
      "${local.arn_prefix}:elasticloadbalancing:${local.region}:${local.account_id}:targetgroup/*/*",
      local.listener_rules_arn,
    ]
    condition {
      test     = "StringEquals"
      variable = "elasticloadbalancing:CreateAction"
      values   = ["CreateTargetGroup", "CreateRule"]
    }
  }

  statement {
    sid = "LoadBalancerReads"
    # Every elasticloadbalancing:Describe* action supports no resource-level permissions: "*".
    actions = [
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeRules",
      "elasticloadbalancing:DescribeTargetGroups",
    ]
    resources = ["*"]
  }

  statement {
    sid = "RemoveTenantUser"
    # Teardown deletes the tenant's Cognito user, after reading its custom:tenant_id (a user of
    # another tenant is never deleted).
    actions   = ["cognito-idp:AdminGetUser", "cognito-idp:AdminDeleteUser"]
    resources = [local.cognito_pool_arn]
  }

  statement {
    sid = "MasterDatabaseSecret"
    # Read at every connection (RDS rotates a managed master password). A secret encrypted with
    # a customer managed KMS key also needs kms:Decrypt on that key; RDS's default is the
    # account's aws/secretsmanager key, which needs no statement.
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.database_master_secret_arn]
  }

  statement {
    sid = "TenantDatabaseSecrets"
    # create_schema stores the tenant's login in tenants/<tenant_id>/db (read back on a retry),
    # create_task_definition looks up its ARN, deprovisioning deletes it. Secret ARNs end in a
    # random suffix, hence the trailing *.
    actions = [
      "secretsmanager:CreateSecret",
      "secretsmanager:DeleteSecret",
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue",
      "secretsmanager:TagResource",
    ]
    resources = ["${local.arn_prefix}:secretsmanager:${local.region}:${local.account_id}:secret:tenants/*"]
  }

  statement {
    sid = "GeneratePasswords"
    # GetRandomPassword touches no resource: AWS authorises it against "*" only.
    actions   = ["secretsmanager:GetRandomPassword"]
    resources = ["*"]
  }

  statement {
    sid = "TenantDnsRecordsRead"
    # create_dns lists the zone's records before changing them, so a retried action changes
    # nothing; teardown deletes the record it listed.
    actions   = ["route53:ListResourceRecordSets"]
    resources = [local.hosted_zone_arn]
  }

  statement {
    sid = "TenantDnsRecords"
    # A tenant's record is an A alias one label under the tenants' domain, upserted by create_dns
    # and deleted by teardown. Route53's change conditions keep every other record of the zone
    # (the apex, MX, TXT, NS, other types) out of this role's reach.
    actions   = ["route53:ChangeResourceRecordSets"]
    resources = [local.hosted_zone_arn]
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "route53:ChangeResourceRecordSetsRecordTypes"
      values   = ["A"]
    }
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "route53:ChangeResourceRecordSetsActions"
      values   = ["UPSERT", "DELETE"]
    }
    condition {
      test     = "ForAllValues:StringLike"
      variable = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
      values   = ["*.${local.tenant_domain}"]
    }
  }

  statement {
    sid    = "PlatformDnsRecordsDenied"
    effect = "Deny"
    # The platform's own names under the same domain (www, api, ...: the registration Lambda
    # refuses them as subdomains, from the same file) stay out of reach even as A records.
    actions   = ["route53:ChangeResourceRecordSets"]
    resources = [local.hosted_zone_arn]
    condition {
      test     = "ForAnyValue:StringEquals"
      variable = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
      values   = [for label in local.reserved_subdomains : "${label}.${local.tenant_domain}"]
    }
  }
}

resource "aws_iam_role_policy" "provisioning" {
  name   = "tenant-provisioning"
  role   = aws_iam_role.provisioning.id
  policy = data.aws_iam_policy_document.provisioning.json
}

# ---------------------------------------------------------------------------------------------
# tenant-status-checker: read-only.

resource "aws_iam_role" "status_checker" {
  name               = "tenant-status-checker-role"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "status_checker" {
  source_policy_documents = [data.aws_iam_policy_document.lambda_runtime["status_checker"].json]

  statement {
    sid       = "TenantRecords"
    actions   = ["dynamodb:GetItem"]
    resources = [local.tenants_table_arn]
  }

  statement {
    sid       = "TenantServices"
    actions   = ["ecs:DescribeServices"]
    resources = [local.ecs_services_arn]
  }

  statement {
    sid = "TargetHealth"
    # elasticloadbalancing:Describe* supports no resource-level permissions: "*".
    actions = [
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetHealth",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "status_checker" {
  name   = "tenant-status-checker"
  role   = aws_iam_role.status_checker.id
  policy = data.aws_iam_policy_document.status_checker.json
}

# ---------------------------------------------------------------------------------------------
# Step Functions: invoke the two Lambdas the workflow calls, deliver logs, write traces.
# The seed also gave this role DynamoDB; the compiled workflow has no DynamoDB tasks (the
# Lambdas record status), so it gets none. It cannot invoke tenant-registration either: the
# workflow never calls it, and it would let an execution start further executions.

data "aws_iam_policy_document" "states_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "step_functions" {
  name               = "step-functions-role"
  assume_role_policy = data.aws_iam_policy_document.states_assume.json
}

data "aws_iam_policy_document" "step_functions_invoke" {
  statement {
    sid     = "InvokeWorkflowLambdas"
    actions = ["lambda:InvokeFunction"]
    resources = [
      local.function_arns.provisioning,
      "${local.function_arns.provisioning}:*",
      local.function_arns.status_checker,
      "${local.function_arns.status_checker}:*",
    ]
  }
}

data "aws_iam_policy_document" "step_functions_observability" {
  statement {
    sid = "LogDelivery"
    # CloudWatch Logs' vended log delivery APIs support no resource-level permissions; AWS
    # documents "*" for Step Functions logging
    # (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ]
    resources = ["*"]
  }

  statement {
    sid = "XRayTraces"
    # X-Ray's trace upload and sampling APIs support no resource-level permissions: "*".
    actions = [
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "step_functions_invoke" {
  name   = "invoke-lambdas"
  role   = aws_iam_role.step_functions.id
  policy = data.aws_iam_policy_document.step_functions_invoke.json
}

# Separate from the invoke policy: CreateStateMachine checks log delivery permissions, so the
# state machine waits for this policy.
resource "aws_iam_role_policy" "step_functions_observability" {
  name   = "logs-and-traces"
  role   = aws_iam_role.step_functions.id
  policy = data.aws_iam_policy_document.step_functions_observability.json
}
