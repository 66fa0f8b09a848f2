import { Controller, Get, Query } from "@nestjs/common";
import { ReportsService } from "./reports.service";

@Controller("reports")
export class ReportsController {
  constructor(private readonly reportsService: ReportsService) {}

  @Get("by-tag")
  byTag(@Query("tag") tag: string) {
    return this.reportsService.byTag(tag);
  }

  @Get("by-tag-safely")
  byTagSafely(@Query("tag") tag: string) {
    return this.reportsService.byTagSafely(tag);
  }
}
