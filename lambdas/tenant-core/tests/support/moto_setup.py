"""Creates the shared infrastructure the tenant Lambdas expect, in a running moto server.

Usage: python moto_setup.py <endpoint-url> [-]
With `-`, the state machine's definition (ASL JSON) is read from stdin; otherwise it is a
one-state placeholder. FLOWC_MASTER_SECRET (JSON username/password) is stored as the database's
master secret, as RDS stores it with manage_master_user_password. Prints one JSON object with the ids/ARNs, which the Rust tests turn into the Lambdas' config.
This is the fixture's only job; the Lambdas' own AWS calls are all made from Rust.
"""

import json
import os
import sys

import boto3

endpoint = sys.argv[1]
session = boto3.session.Session(
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
    region_name="us-east-1",
)


def client(name):
    return session.client(name, endpoint_url=endpoint)


ec2 = client("ec2")
vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
subnets = [
    ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
    for cidr, az in (("10.40.1.0/24", "us-east-1a"), ("10.40.2.0/24", "us-east-1b"))
]
sg = ec2.create_security_group(GroupName="tenants", Description="tenant services", VpcId=vpc)["GroupId"]

elb = client("elbv2")
alb = elb.create_load_balancer(Name="tenants-alb", Subnets=subnets, SecurityGroups=[sg], Type="application")[
    "LoadBalancers"
][0]
listener = elb.create_listener(
    LoadBalancerArn=alb["LoadBalancerArn"],
    Protocol="HTTP",
    Port=80,
    DefaultActions=[
        {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"}}
    ],
)["Listeners"][0]["ListenerArn"]

zone = client("route53").create_hosted_zone(Name="tenants.example.com", CallerReference="flowc-tests")[
    "HostedZone"
]["Id"].split("/")[-1]

client("ecs").create_cluster(clusterName="tenants")

dynamodb = client("dynamodb")
for table in ("tenants", "tenant-registrations"):
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "tenant_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "tenant_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

# The tenants' pool links each user to its tenant (an immutable custom attribute).
pool = client("cognito-idp").create_user_pool(
    PoolName="tenants",
    Schema=[{"Name": "tenant_id", "AttributeDataType": "String", "Mutable": False}],
)["UserPool"]["Id"]

role = client("iam").create_role(
    RoleName="tenant-workflow",
    AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
)["Role"]["Arn"]
definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
if len(sys.argv) > 2 and sys.argv[2] == "-":
    definition = json.load(sys.stdin)
machine = client("stepfunctions").create_state_machine(
    name="tenant-provisioning-workflow", definition=json.dumps(definition), roleArn=role
)["stateMachineArn"]

master_secret = client("secretsmanager").create_secret(
    Name="rds!db-tenants-master", SecretString=os.environ["FLOWC_MASTER_SECRET"]
)["ARN"]

print(
    json.dumps(
        {
            "vpc_id": vpc,
            "subnet_ids": subnets,
            "security_group_id": sg,
            "alb_arn": alb["LoadBalancerArn"],
            "listener_arn": listener,
            "zone_id": zone,
            "user_pool_id": pool,
            "state_machine_arn": machine,
            "master_secret_arn": master_secret,
        }
    )
)
