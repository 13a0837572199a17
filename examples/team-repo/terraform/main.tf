# Deploys the compiled workflow. The definition is flowc's output (workflows/*.asl.json,
# committed; CI fails when it is stale), never hand-edited: flowc emits each Lambda resource as a
# templatefile() placeholder named after the .flow's resource declaration, here ${orders}.

variable "orders_lambda_arn" {
  description = "ARN of the orders Lambda the workflow calls."
  type        = string
}

variable "state_machine_role_arn" {
  description = "IAM role Step Functions assumes (lambda:InvokeFunction on the orders Lambda)."
  type        = string
}

resource "aws_sfn_state_machine" "order_fulfilment" {
  name     = "order-fulfilment"
  role_arn = var.state_machine_role_arn
  definition = templatefile("${path.module}/../workflows/order_fulfilment.asl.json", {
    orders = var.orders_lambda_arn
  })
}
