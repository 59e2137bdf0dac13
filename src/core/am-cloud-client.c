/* am-cloud-client.c: placeholder until its implementation lands */
