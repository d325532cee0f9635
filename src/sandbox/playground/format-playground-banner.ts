export interface BannerInput {
  url: string;
  botEventsUrl: string;
  slackApiUrl: string;
  cloudUrl: string;
  /** Where the structured log goes. */
  logFile?: string;
}

/**
 * The start-up notice: what is running, where to open it, and which environment variables connect
 * the bot to real Slack and Huawei Cloud instead. Names only, never values.
 */
export function formatPlaygroundBanner(input: BannerInput): string {
  const rule = "─".repeat(72);
  return [
    rule,
    "  hwc-chatops LOCAL PLAYGROUND: nothing here touches real Slack or Huawei Cloud.",
    "",
    `  Open ${input.url} in your browser.`,
    "",
    "  Running on this machine:",
    `    simulated Huawei Cloud (ECS/HSS/IAM)  ${input.cloudUrl}   (admin API: ${input.cloudUrl}/__sim/)`,
    `    fake Slack Web API                    ${input.slackApiUrl}`,
    `    the bot, HTTP mode                    ${input.botEventsUrl}`,
    "  Type /ecs, /hss or /ops in the page; switch users (top right) to request, approve or be refused.",
    "  Open the app (hwc-chatops, under Apps) for its Home tab: what you may approve, your requests, jobs.",
    ...(input.logFile !== undefined
      ? [`  Log: ${input.logFile} (JSON); warnings and errors are also shown here.`]
      : []),
    "",
    "  To run against real Slack and Huawei Cloud instead, set before `npm start`:",
    "    Slack:  SLACK_BOT_TOKEN, and SLACK_SIGNING_SECRET (HTTP mode, PORT default 3000)",
    "            or SLACK_APP_TOKEN (Socket Mode, no public URL needed)",
    "    Cloud:  HUAWEICLOUD_SDK_REGION, and HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK",
    "            (or HUAWEICLOUD_IAM_DOMAIN + HUAWEICLOUD_IAM_USERNAME + HUAWEICLOUD_IAM_PASSWORD)",
    "  `npm run playground` always starts this playground. Stop with Ctrl+C.",
    rule,
  ].join("\n");
}
